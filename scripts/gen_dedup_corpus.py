#!/usr/bin/env python3
"""Synthetic dedup corpus with a known truth: documents of real sentences, a known share of them near-duplicates.

usage: gen_dedup_corpus.py OUT_DIR --docs N [--dup-frac 0.1] [--jaccard 0.85] [--files 8] [--seed 1]
       [--shared ../shared]

Documents are 6–14 random sentences of one language from the Leipzig sentence files of
../shared/data/langid (75 languages, real news/web text). A fraction `--dup-frac` of documents
are near-duplicates: a copy of an earlier document with k random words replaced, k chosen so that
the expected Jaccard similarity of the word 5-gram sets is `--jaccard` (each replaced word
changes up to 5 shingles: J ≈ (S − 5k) / (S + 5k)). Writes OUT_DIR/part-NNN.jsonl and
OUT_DIR/../truth.tsv: `dup_id<TAB>original_id` per planted duplicate.
"""
import argparse
import json
import os
import random


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--dup-frac", type=float, default=0.1)
    ap.add_argument("--jaccard", type=float, default=0.85)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    a = ap.parse_args()
    folder = os.path.join(a.shared, "data", "langid", "leipzig", "sentences")
    languages = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            lines = [l.strip() for l in f if len(l.strip()) >= 20]
        if lines:
            languages.append(lines)
    sentences = [s for lang in languages for s in lang]
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    outs = [open(os.path.join(a.out, f"part-{i:03}.jsonl"), "w", encoding="utf-8") for i in range(a.files)]
    truth = open(os.path.join(os.path.dirname(os.path.abspath(a.out)), "truth.tsv"), "w")
    # A bounded pool of recent originals to copy from keeps memory flat for large N.
    pool = []
    for i in range(a.docs):
        doc_id = f"doc-{i:09d}"
        if pool and rng.random() < a.dup_frac:
            orig_id, words = pool[rng.randrange(len(pool))]
            shingles = max(1, len(words) - 4)
            k = max(1, round(shingles * (1 - a.jaccard) / (5 * (1 + a.jaccard))))
            words = list(words)
            for _ in range(k):
                words[rng.randrange(len(words))] = rng.choice(sentences).split()[0]
            text = " ".join(words)
            truth.write(f"{doc_id}\t{orig_id}\n")
        else:
            lang = rng.choice(languages)
            text = " ".join(rng.choice(lang) for _ in range(rng.randint(6, 14)))
            words = text.split()
            if len(pool) < 10000:
                pool.append((doc_id, words))
            else:
                pool[rng.randrange(len(pool))] = (doc_id, words)
        outs[i % a.files].write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    for f in outs:
        f.close()
    truth.close()


if __name__ == "__main__":
    main()
