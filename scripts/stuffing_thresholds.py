#!/usr/bin/env python3
"""How many real pages each `stuffing` threshold would flag, with examples.

Runs thresh's `stuffing` step in annotate mode (all checks off, signals only) over
../shared/data/web/{de,en,other}.jsonl.gz and the German fixture, then prints, for candidate
thresholds, how many pages each would flag and which, so defaults are chosen from data.

    scripts/stuffing_thresholds.py [--shared ../shared] [--bin target/release/thresh]
"""
import os
import sys
import tempfile

from thresh_run import run_pipeline, script_args


def signals(binary, paths):
    with tempfile.TemporaryDirectory() as work:
        steps = ('[[step]]\ntype = "stuffing"\nmode = "annotate"\nmax_top_sentence_count = 0\n'
                 'max_phrase_lines = 0\nmax_sentence_paragraphs = 0\n')
        docs, _ = run_pipeline(binary, work, paths, steps)
        return [(i, d["thresh"]["stuffing"]) for i, d in docs.items()]


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    pages = signals(args.bin, [os.path.abspath(os.path.join(web, f"{s}.jsonl.gz")) for s in ("de", "en", "other")])
    fixture = signals(args.bin, [os.path.abspath(os.path.join(args.shared, "fixtures", "de-keyword-stuffed.jsonl"))])
    fx = fixture[0][1]
    print(f"German fixture: sentence in {fx['sentence_paragraphs']} paragraphs")
    print(f"German fixture: phrase on {fx['phrase_lines']} lines ({fx['phrase']!r})")
    print(f"German fixture: top sentence ×{fx['top_sentence_count']} ({fx['top_sentence']!r}), "
          f"share {fx['top_sentence_share']:.3f}, dup_sentence_char_frac {fx['dup_sentence_char_frac']:.3f}")
    print(f"\n{len(pages)} real pages (de, en, other)\n")
    print("| rule | pages flagged | fixture flagged |")
    print("|---|---|---|")
    rules = [(f"sentence_paragraphs > {k}", lambda s, k=k: s["sentence_paragraphs"] > k) for k in (2, 3, 4)]
    rules += [("phrase_lines > 3 or sentence_paragraphs > 3", lambda s: s["phrase_lines"] > 3 or s["sentence_paragraphs"] > 3)]
    rules += [(f"phrase_lines > {k}", lambda s, k=k: s["phrase_lines"] > k) for k in (2, 3, 4, 5)]
    rules += [(f"top_sentence_count > {k}", lambda s, k=k: s["top_sentence_count"] > k) for k in (1, 2, 3, 4, 5)]
    rules += [(f"top_sentence_share > {t}", lambda s, t=t: s["top_sentence_share"] > t) for t in (0.02, 0.05, 0.1)]
    rules += [(f"dup_sentence_char_frac > {t}", lambda s, t=t: s["dup_sentence_char_frac"] > t) for t in (0.02, 0.05, 0.1)]
    for name, rule in rules:
        hits = [(i, s) for i, s in pages if rule(s)]
        print(f"| {name} | {len(hits)} ({100 * len(hits) / len(pages):.1f}%) | {'yes' if rule(fx) else 'no'} |")
    print("\nPages with an 8-word phrase on more than 3 lines (the default):")
    for i, s in pages:
        if s["phrase_lines"] > 3:
            print(f"- {i}: {s['phrase_lines']} lines {s['phrase'][:90]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
