#!/usr/bin/env python3
"""Writes a synthetic JSON Lines corpus for throughput benchmarks (deterministic).

Documents of 300 B – 30 KB (log-uniform) made of paragraphs of sentences drawn from a
multilingual vocabulary (ASCII, accented Latin, Cyrillic, a few CJK characters), with
quotes and newlines that JSON must escape, and a metadata object, so parsing and escaping
do realistic work.

    scripts/gen_corpus.py --mb 1000 --files 8 OUT_DIR     # then zstd the files if wanted
"""
import argparse
import json
import os
import random

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her all she there would their we him been has when who will more "
    "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an "
    "le de un être et à il avoir ne je son que se qui ce dans en du elle au pour pas sur "
    "Straße Übung Mädchen größer café naïve façade déjà über schön fête "
    "город время человек дело жизнь день рука работа слово место "
    "river market council library garden weather bridge station museum harbour festival "
    "東京 数据 语言 模型"
).split()


def sentence(rng):
    n = rng.randint(5, 25)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    s = " ".join(words)
    if rng.random() < 0.1:
        s = f'"{s}," she said'
    return s + rng.choice([".", ".", ".", "!", "?", ":"])


def document(rng, target):
    paras, size = [], 0
    while size < target:
        p = " ".join(sentence(rng) for _ in range(rng.randint(1, 6)))
        paras.append(p)
        size += len(p) + 2
    return "\n\n".join(paras)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=1000, help="approximate total size in MB")
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    per_file = args.mb * 1e6 / args.files
    doc_id = 0
    for f in range(args.files):
        path = os.path.join(args.out, f"part-{f:04d}.jsonl")
        written = 0
        with open(path, "w", encoding="utf-8") as out:
            while written < per_file:
                target = int(300 * (100 ** rng.random()))
                rec = {"id": f"doc-{doc_id}", "text": document(rng, target),
                       "metadata": {"url": f"https://example.org/{doc_id}", "source": "synthetic"}}
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                doc_id += 1
        print(path, written)


if __name__ == "__main__":
    main()
