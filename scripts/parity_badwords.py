#!/usr/bin/env python3
"""c4_badwords decision parity with datatrove 0.10.1's C4BadWordsFilter.

datatrove downloads its lists at run time; here its loader is pointed at the same lists bundled
in crates/thresh-text/data/c4_badwords (the commits datatrove pins), and it runs in the peers'
environment (../shared/peers/install.sh) over ../shared/data/web/{en,de}.jsonl.gz with
metadata language = the set's language. thresh runs c4_badwords in annotate mode on the same
pages; the script prints how many decisions agree.

    scripts/parity_badwords.py [--shared ../shared] [--bin target/release/thresh]
"""
import json
import os
import sys
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args

DATATROVE = r'''
import gzip, json, sys
import datatrove.pipeline.filters.c4_filters as c4
from datatrove.data import Document
lists, src, lang, out = sys.argv[1:]
c4.cached_asset_path_or_download = lambda url, **kw: f"{lists}/{url.rsplit('/', 1)[-1]}.txt"
f = c4.C4BadWordsFilter()
keep = {}
for line in gzip.open(src, "rt"):
    d = json.loads(line)
    keep[d["id"]] = f.filter(Document(text=d["text"], id=d["id"], metadata={"language": lang})) is True
json.dump(keep, open(out, "w"))
'''


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    lists = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "thresh-text", "data", "c4_badwords")
    print("| set | docs | datatrove drops | thresh drops | same decision |")
    print("|---|---|---|---|---|")
    for lang in ["en", "de"]:
        src = os.path.abspath(os.path.join(web, f"{lang}.jsonl.gz"))
        with tempfile.TemporaryDirectory() as work:
            dt_out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, os.path.abspath(lists), src, lang, dt_out)
            dt = json.load(open(dt_out))
            docs, _ = run_pipeline(args.bin, work, [src],
                                   f'[[step]]\ntype = "c4_badwords"\ndefault_language = "{lang}"\nmode = "annotate"\n')
            th = {i: "would_drop" not in d["thresh"].get("c4_badwords", {}) for i, d in docs.items()}
            same = sum(1 for i in dt if dt[i] == th.get(i))
            print(f"| {lang} | {len(dt)} | {sum(not v for v in dt.values())} | "
                  f"{sum(not v for v in th.values())} | {same} of {len(dt)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
