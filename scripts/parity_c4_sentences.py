#!/usr/bin/env python3
"""c4_quality with split_paragraph = false (sentence units) against datatrove 0.10.1's
C4QualityFilter(split_paragraph=False), on ../shared/data/web/{de,en}.jsonl.gz: same decision,
same reason, same rewritten text. datatrove runs in the peers' environment
(../shared/peers/install.sh).

    scripts/parity_c4_sentences.py [--shared ../shared] [--bin target/release/thresh]
"""
import json
import os
import sys
import tempfile

from thresh_run import run_datatrove, run_pipeline, script_args

DATATROVE = r'''
import gzip, json, sys
from datatrove.pipeline.filters.c4_filters import C4QualityFilter
from datatrove.data import Document
src, lang, out = sys.argv[1:]
f = C4QualityFilter(split_paragraph=False, language=lang)
res = {}
for line in gzip.open(src, "rt"):
    d = json.loads(line)
    doc = Document(text=d["text"], id=d["id"])
    r = f.filter(doc)
    res[d["id"]] = {"keep": r is True, "reason": None if r is True else r[1], "text": doc.text}
json.dump(res, open(out, "w"))
'''


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    print("| set | docs | same decision | same reason | same text (both kept) |")
    print("|---|---|---|---|---|")
    for lang, code in [("de", "deu"), ("en", "eng")]:
        src = os.path.abspath(os.path.join(web, f"{lang}.jsonl.gz"))
        with tempfile.TemporaryDirectory() as work:
            dt_out = os.path.join(work, "dt.json")
            run_datatrove(DATATROVE, src, code, dt_out)
            dt = json.load(open(dt_out))
            steps = f'[[step]]\ntype = "c4_quality"\nmode = "annotate"\nlanguage = "{lang}"\nsplit_paragraph = false\n'
            docs, _ = run_pipeline(args.bin, work, [src], steps)
            same = same_reason = same_text = kept = 0
            for i, d in dt.items():
                t = docs[i]
                would = t["thresh"].get("c4_quality", {}).get("would_drop")
                keep = would is None
                if keep == d["keep"]:
                    same += 1
                    if keep or would.split()[0] == d["reason"]:
                        same_reason += 1
                    if keep:
                        kept += 1
                        same_text += t["text"] == d["text"]
            print(f"| {lang} | {len(dt)} | {same} | {same_reason} | {same_text} of {kept} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
