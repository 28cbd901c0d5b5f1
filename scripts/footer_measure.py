#!/usr/bin/env python3
"""What `footer_lines` removes: from hand-checked article bodies (should be nothing), from real
pages, and from the German fixture.

Ground truth: the main-content bodies of ../shared/data/extraction/wcxb (ground-truth.jsonl.gz,
`main_content`) and scrapinghub (ground-truth.json, `articleBody`): every line removed there is
article text lost. Real pages: ../shared/data/web/{de,en,other}.jsonl.gz.

    scripts/footer_measure.py [--shared ../shared] [--bin target/release/thresh]
"""
import gzip
import json
import os
import sys
import tempfile

from thresh_run import run_pipeline, script_args, write_jsonl


def run(binary, docs):
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "in.jsonl")
        write_jsonl(src, docs)
        out, _ = run_pipeline(binary, work, [src], '[[step]]\ntype = "footer_lines"\nmode = "annotate"\n')
        return {i: d["thresh"]["footer_lines"]["removed"] for i, d in out.items()
                if d["thresh"].get("footer_lines", {}).get("removed")}


def report(name, docs, removed, show):
    lines = sum(len(t.splitlines()) for _, t in docs)
    n = sum(len(v) for v in removed.values())
    print(f"| {name} | {len(docs)} | {len(removed)} | {n} of {lines} |")
    return [(name, i, r) for i, r in list(removed.items())[:show]]


def main():
    args = script_args(__doc__, os.path.join("data", "extraction"))
    if args is None:
        return 0
    ext = os.path.join(args.shared, "data", "extraction")
    wcxb = [(d["id"], d["main_content"]) for d in map(json.loads, gzip.open(os.path.join(ext, "wcxb", "ground-truth.jsonl.gz"), "rt"))
            if d.get("main_content", "").strip()]
    sh = [(k, v["articleBody"]) for k, v in json.load(open(os.path.join(ext, "scrapinghub", "ground-truth.json"))).items()
          if v.get("articleBody", "").strip()]
    web = []
    for s in ("de", "en", "other"):
        web += [(d["id"], d["text"]) for d in map(json.loads, gzip.open(os.path.join(args.shared, "data", "web", f"{s}.jsonl.gz"), "rt"))]
    fixture = [(d["id"], d["text"]) for d in map(json.loads, open(os.path.join(args.shared, "fixtures", "de-keyword-stuffed.jsonl")))]
    print("| texts | docs | docs with lines removed | lines removed |")
    print("|---|---|---|---|")
    examples = []
    examples += report("WCXB ground truth (article text)", wcxb, run(args.bin, wcxb), 20)
    examples += report("scrapinghub ground truth (article text)", sh, run(args.bin, sh), 20)
    examples += report("real pages (../shared/data/web)", web, run(args.bin, web), 25)
    examples += report("German fixture", fixture, run(args.bin, fixture), 1)
    print("\nRemoved lines (ground truth: each is a loss; pages: a sample):")
    for name, i, r in examples:
        print(f"- {name} {i}: " + " | ".join(x[:70] for x in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
