#!/usr/bin/env python3
"""Language identification: thresh's accuracy on ../shared/data/langid and its speed side by side with lingua.

1. Accuracy: `langid_eval` (crates/thresh-langid/examples) over the Leipzig sentences, word pairs
   and single words and the UDHR paragraphs of the 75 languages, next to lingua's published
   high-accuracy figures; the table goes to stdout and `--csv` (default target/langid-accuracy.csv).
2. Speed: documents of about 1, 5 and 10 KB, each made of consecutive Leipzig sentences of one
   language (4 per language and size, written to target/langid-docs-<size>.tsv), identified by
   thresh on one core and by lingua (Python `lingua-language-detector`, high-accuracy mode, all
   languages, models preloaded; from ../shared/peers/install.sh) on the same core.

usage: scripts/eval_langid.py [--shared DIR] [--no-lingua]
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thresh_run import script_args  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SIZES = [1_000, 5_000, 10_000]

LINGUA = r'''
import sys, time
from lingua import LanguageDetectorBuilder
det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
for path in sys.argv[1:]:
    docs = [l.split("\t", 1) for l in open(path, encoding="utf-8").read().split("\n") if "\t" in l]
    size = sum(len(d[1].encode()) for d in docs)
    det.detect_language_of("warm up")
    t = time.perf_counter()
    got = [det.detect_language_of(d[1]) for d in docs]
    spent = time.perf_counter() - t
    right = sum(g is not None and g.iso_code_639_1.name.lower() == d[0] for g, d in zip(got, docs))
    print(f"{path}: {len(docs)} documents, {size/len(docs):.0f} bytes on average: "
          f"{size/1e6/spent:.2f} MB/s, {len(docs)/spent:.0f} docs/s, {right} correct")
'''


def documents(langid, size):
    """Four documents of about `size` bytes per language, consecutive sentences joined by spaces."""
    out = []
    folder = os.path.join(langid, "leipzig", "sentences")
    for name in sorted(os.listdir(folder)):
        code = name[:-4]
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            sentences = [l.strip() for l in f.read().split("\n") if l.strip()]
        k = 0
        for _ in range(4):
            doc = ""
            while len(doc.encode()) < size:
                doc += sentences[k % len(sentences)] + " "
                k += 1
            out.append((code, doc))
    return out


def main():
    args = script_args(
        __doc__,
        os.path.join("data", "langid"),
        lambda ap: (
            ap.add_argument("--csv", default=os.path.join(ROOT, "target", "langid-accuracy.csv")),
            ap.add_argument("--no-lingua", action="store_true"),
        ),
    )
    if args is None:
        return
    langid = os.path.join(args.shared, "data", "langid")
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "thresh-langid", "--example", "langid_eval"],
        cwd=ROOT,
        check=True,
    )
    evaluator = os.path.join(ROOT, "target", "release", "examples", "langid_eval")
    subprocess.run([evaluator, langid, "--csv", args.csv], check=True)
    files = []
    for size in SIZES:
        path = os.path.join(ROOT, "target", f"langid-docs-{size}.tsv")
        with open(path, "w", encoding="utf-8") as f:
            for code, doc in documents(langid, size):
                f.write(f"{code}\t{doc}\n")
        files.append(path)
    print("\nthresh, one core:")
    one_core = ["taskset", "-c", "0"]
    subprocess.run(one_core + [evaluator] + [x for p in files for x in ("--speed", p)], check=True)
    if args.no_lingua:
        return
    peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
    python = os.path.join(peers, "venv", "bin", "python")
    if not os.path.exists(python):
        print(f"lingua skipped: {python} not found (run ../shared/peers/install.sh)")
        return
    print("\nlingua (Python, high-accuracy mode), one core:")
    started = time.perf_counter()
    subprocess.run(one_core + [python, "-c", LINGUA] + files, check=True)
    print(f"(lingua run took {time.perf_counter() - started:.0f} s including model loading)")


if __name__ == "__main__":
    main()
