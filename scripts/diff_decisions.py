#!/usr/bin/env python3
"""Diffs the decisions of two thresh binaries (before and after a change) on the shared page sets.

Documents: every page text of ../shared/data/web (de, en, other) and the ground-truth texts of
../shared/data/extraction (scrapinghub article bodies, WCXB main content, trafilatura-eval's
"with" snippets of each page joined by newlines). Pipelines, each run by both binaries:
- the recommended chain without deduplication (examples/recommended.toml before exact_dedup),
  filter mode: kept or dropped, the dropping step and reason;
- the same chain with every step in annotate mode, so every document reaches every step: all
  of thresh's annotations (every signal of every step) and the text;
- each quality filter alone with preset = "datatrove" (and c4_quality), annotate mode.
Prints, per pipeline, how many documents have identical output lines (id, text, annotations)
and the first differences.

    scripts/diff_decisions.py --before OLD_BINARY [--bin target/release/thresh] [--shared ../shared]
"""
import gzip
import json
import os
import sys
import tempfile

from bench_chain import recommended_chain
from thresh_run import run_pipeline, script_args, write_jsonl

FILTERS = ["gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality", "stuffing"]


def documents(shared):
    docs = []
    for lang in ("de", "en", "other"):
        for line in gzip.open(os.path.join(shared, "data", "web", f"{lang}.jsonl.gz"), "rt", encoding="utf-8"):
            d = json.loads(line)
            docs.append((f"web/{lang}/{d['id']}", d["text"]))
    ext = os.path.join(shared, "data", "extraction")
    with open(os.path.join(ext, "scrapinghub", "ground-truth.json")) as f:
        for key, page in json.load(f).items():
            docs.append((f"scrapinghub/{key}", page["articleBody"]))
    for line in gzip.open(os.path.join(ext, "wcxb", "ground-truth.jsonl.gz"), "rt", encoding="utf-8"):
        d = json.loads(line)
        docs.append((f"wcxb/{d['id']}", d["main_content"]))
    with open(os.path.join(ext, "trafilatura-eval", "eval.json")) as f:
        for i, page in enumerate(json.load(f)):
            snippets = page.get("with") or []
            if snippets:
                docs.append((f"trafilatura-eval/{i}", "\n".join(snippets)))
    return [(i, t) for i, t in docs if t]


def pipelines():
    chain = recommended_chain()
    yield "recommended chain (filter)", chain
    yield "recommended chain (annotate)", [(t, extra + 'mode = "annotate"\n') for t, extra in chain]
    for f in FILTERS:
        preset = 'preset = "datatrove"\n' if f in ("gopher_repetition", "gopher_quality", "fineweb_quality") else ""
        yield f"{f} alone", [("language", ""), (f, preset + 'mode = "annotate"\n')]


def output(binary, work, src, steps):
    body = "".join(f'[[step]]\ntype = "{t}"\n{extra}\n' for t, extra in steps)
    docs, stats = run_pipeline(binary, work, [src], body)
    return {i: json.dumps({k: d.get(k) for k in ("text", "thresh")}, sort_keys=True) for i, d in docs.items()}, stats


def main():
    args = script_args(__doc__, os.path.join("data", "web"),
                       lambda ap: ap.add_argument("--before", required=True, help="the thresh binary before the change"))
    if args is None:
        return 0
    docs = documents(args.shared)
    print(f"{len(docs)} documents; before: {args.before}; after: {args.bin}")
    print("| pipeline | documents | identical output | kept before / after |")
    print("|---|---|---|---|")
    differing = 0
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, "docs.jsonl")
        write_jsonl(src, docs)
        for name, steps in pipelines():
            old, old_stats = output(args.before, work, src, steps)
            new, new_stats = output(args.bin, work, src, steps)
            same = sum(old.get(i) == new.get(i) for i, _ in docs)
            print(f"| {name} | {len(docs)} | {same} | {old_stats['kept']} / {new_stats['kept']} |")
            for i, _ in docs:
                if old.get(i) != new.get(i):
                    differing += 1
                    print(f"  differs: {i}\n    before: {old.get(i, '')[:300]}\n    after:  {new.get(i, '')[:300]}")
                    break
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
