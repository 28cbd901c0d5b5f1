#!/usr/bin/env python3
"""line_dedup on real text: how much each setting removes, and what.

Sets: the real page texts of ../shared/data/web (417 German, 1,002 English pages from many sites,
as trafilatura extracted them: some still end in share links, "related posts", image credits) and
the hand-checked WCXB ground-truth bodies (741 English pages: only article text, so every line
removed there is article text lost). Settings: the default (lines found in 2 or more documents, of at
least 2 words, kept in the first document: dolma's paragraph dedup and cc_net keep the first copy),
single-word lines too, 3-word minimum, all copies removed, 3 documents, and paragraphs. Prints, per set and setting: lines, lines removed,
characters removed, documents changed and dropped, and the most repeated lines.

usage: scripts/line_dedup_measure.py [--shared DIR] [--bin target/release/thresh]
"""
import gzip
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import run_pipeline, script_args, write_jsonl  # noqa: E402

SETTINGS = [
    ("default (line, 2 documents, ≥ 2 words, keep first)", ""),
    ("single words too", "min_words = 1"),
    ("≥ 3 words", "min_words = 3"),
    ("all copies removed", "keep_first = false"),
    ("3 documents", "min_count = 3"),
    ("paragraphs", 'unit = "paragraph"'),
]


def read_jsonl(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(l) for l in f.read().split("\n") if l]


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return
    sets = {
        "web de": [(d["id"], d["text"]) for d in read_jsonl(os.path.join(args.shared, "data", "web", "de.jsonl.gz"))],
        "web en": [(d["id"], d["text"]) for d in read_jsonl(os.path.join(args.shared, "data", "web", "en.jsonl.gz"))],
        "wcxb ground truth": [
            (d["id"], d["main_content"])
            for d in read_jsonl(os.path.join(args.shared, "data", "extraction", "wcxb", "ground-truth.jsonl.gz"))
            if d.get("main_content", "").strip()
        ],
    }
    print("| set | setting | docs | units | removed | chars removed | docs changed | docs dropped |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    tops = {}
    for name, docs in sets.items():
        for label, extra in SETTINGS:
            with tempfile.TemporaryDirectory() as work:
                src = os.path.join(work, "in.jsonl")
                write_jsonl(src, docs)
                _, stats = run_pipeline(args.bin, work, [src], f'[[step]]\ntype = "line_dedup"\n{extra}\n')
            s = stats["barriers"]["line_dedup"]
            step = stats["steps"][0]
            share = step["chars_removed"] / max(1, stats["chars_in"])
            dropped = sum(stats["dropped"].values())
            print(f"| {name} | {label} | {len(docs)} | {s['units']:,} | {s['units_removed']:,} | "
                  f"{step['chars_removed']:,} ({share:.2%}) | {s['documents_changed']} | {dropped} |")
            if not extra:
                tops[name] = s["top_duplicated"]
    for name, top in tops.items():
        shown = "; ".join(f"{t['count']}× {t['text']!r}" for t in top[:6])
        print(f"\nmost repeated in {name} (default): {shown}")


if __name__ == "__main__":
    main()
