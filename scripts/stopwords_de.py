#!/usr/bin/env python3
"""German pages and stop words: what thresh's language-aware gopher_quality does with the pages datatrove drops for English stop words.

Runs `gopher_quality` with `language = "de"` and the default (FineWeb-2) preset over the 417
German pages of ../shared/data/web/de.jsonl.gz and reads datatrove 0.10.1's recorded decisions
(datatrove-0.10.1-decisions-de.jsonl.gz, English stop words). Prints how many pages datatrove
drops for `gopher_enough_stop_words`, how many of those thresh keeps, and thresh's own drops
by reason.

usage: scripts/stopwords_de.py [--shared DIR] [--bin target/release/thresh]
"""
import collections
import gzip
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import run_pipeline, script_args  # noqa: E402


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return
    web = os.path.join(args.shared, "data", "web")
    with gzip.open(os.path.join(web, "datatrove-0.10.1-decisions-de.jsonl.gz"), "rt") as f:
        decisions = {d["id"]: d["gopher_quality"] for d in map(json.loads, f)}
    with tempfile.TemporaryDirectory() as work:
        docs, _ = run_pipeline(args.bin, work, [os.path.join(web, "de.jsonl.gz")],
                               '[[step]]\ntype = "gopher_quality"\nlanguage = "de"\n')
    stop_words = [i for i, d in decisions.items() if d["reason"] == "gopher_enough_stop_words"]
    kept = [i for i in stop_words if "dropped_by" not in docs[i]["thresh"]]
    reasons = collections.Counter(
        d["thresh"]["reason"].split()[0] for d in docs.values() if "dropped_by" in d["thresh"])
    print(f"{len(docs)} German pages; datatrove drops {len(stop_words)} for gopher_enough_stop_words; "
          f"thresh (German stop words) keeps {len(kept)} of them")
    print(f"thresh drops {sum(reasons.values())} of {len(docs)}: {dict(reasons.most_common())}")


if __name__ == "__main__":
    main()
