#!/usr/bin/env python3
"""Parity of thresh's word/sentence segmenter (crates/thresh-text/src/segment) with datatrove 0.10.1.

Compares, per document, `Segmenter::words` and `Segmenter::sentence_count` (via the
`segment_dump` example) with a Python reference of datatrove's spaCy tokenizer and sentencizer
(`spacy_tokenizer_ref.py`, which matches spaCy 3.8 token for token; it lives outside this
repository: pass its directory with --reference).

    python3 scripts/segment_parity.py --reference /work/notes/datatrove-data \\
        en=/work/shared/data/web/en.jsonl.gz de=/work/shared/data/web/de.jsonl.gz \\
        auto=/work/shared/data/web/other.jsonl.gz

Each input is LANG=PATH (JSON Lines, optionally gzip): LANG is the language code given to both
sides, or `auto` to use each record's "lang" field. Documents are grouped by spaCy language.
Prints, per language, the share of documents with identical word lists and identical sentence
counts, and the worst mismatches. Exits 1 if any document differs, 0 if all match, and 0 with a
message if the reference is missing (the check is skipped).
"""
import argparse
import difflib
import gzip
import json
import os
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLES = os.path.join(ROOT, "crates", "thresh-text", "data", "spacy")


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def spacy_lang(code, assignment):
    """The spaCy tables datatrove uses for `code` (as thresh resolves it), `xx` otherwise."""
    if code in assignment:
        return assignment[code]
    lang, _, script = code.partition("_")
    key = lang.strip().lower() + ("_" + script[:1].upper() + script[1:].lower() if script else "")
    return assignment.get(key, "xx")


def rust_dump(docs, codes):
    """Runs the segment_dump example over the documents, one code per document."""
    exe = os.path.join(ROOT, "target", "release", "examples", "segment_dump")
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "thresh-text", "--example", "segment_dump"],
        cwd=ROOT, check=True,
    )
    payload = "".join(json.dumps({"text": d["text"], "lang": c}) + "\n" for d, c in zip(docs, codes))
    out = subprocess.run([exe], input=payload, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.split("\n") if line]


def first_difference(a, b):
    """A short description of where two token lists first differ."""
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            lo = max(0, i1 - 3)
            return f"at token {i1}: ...{a[lo:i1]} ref {a[i1:i2][:8]} vs rust {b[j1:j2][:8]}"
    return "same"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, help="directory holding spacy_tokenizer_ref.py and its spacy/ tables")
    ap.add_argument("--worst", type=int, default=5, help="mismatches to show per language")
    ap.add_argument("inputs", nargs="+", metavar="LANG=PATH")
    args = ap.parse_args()

    ref_file = os.path.join(args.reference, "spacy_tokenizer_ref.py")
    if not os.path.exists(ref_file):
        print(f"SKIPPED: reference implementation not found at {ref_file}")
        return 0
    sys.path.insert(0, args.reference)
    from spacy_tokenizer_ref import Tokenizer  # noqa: E402

    with open(os.path.join(TABLES, "common.json"), encoding="utf-8") as f:
        assignment = json.load(f)["tokenizer_assignment"]

    docs, codes = [], []
    for spec in args.inputs:
        lang, _, path = spec.partition("=")
        for d in read_jsonl(path):
            docs.append(d)
            codes.append((d.get("lang") or "und") if lang == "auto" else lang)
    rust = rust_dump(docs, codes)
    assert len(rust) == len(docs), "segment_dump printed one line per document"

    tokenizers = {}
    stats = defaultdict(lambda: {"docs": 0, "words_ok": 0, "sents_ok": 0, "tokens": 0, "bad": []})
    for d, code, r in zip(docs, codes, rust):
        lang = spacy_lang(code, assignment)
        if r["lang"] != lang:
            print(f"language mismatch for {code!r}: rust {r['lang']} vs script {lang}")
        tok = tokenizers.setdefault(lang, Tokenizer(lang))
        words, sents = tok.words(d["text"]), tok.n_sentences(d["text"])
        key = f"{lang} ({code})" if lang == "xx" else lang
        s = stats[key]
        s["docs"] += 1
        s["tokens"] += len(words)
        s["words_ok"] += words == r["words"]
        s["sents_ok"] += sents == r["sentences"]
        if words != r["words"] or sents != r["sentences"]:
            n_diff = sum(1 for op in difflib.SequenceMatcher(a=words, b=r["words"], autojunk=False).get_opcodes() if op[0] != "equal")
            s["bad"].append((n_diff, abs(sents - r["sentences"]), d.get("id", "?"), first_difference(words, r["words"]), sents, r["sentences"]))

    all_ok = True
    print(f"{'lang':<12} {'docs':>5} {'tokens':>9} {'words identical':>16} {'sentences identical':>20}")
    for key in sorted(stats):
        s = stats[key]
        print(f"{key:<12} {s['docs']:>5} {s['tokens']:>9} {100 * s['words_ok'] / s['docs']:>15.1f}% {100 * s['sents_ok'] / s['docs']:>19.1f}%")
    for key in sorted(stats):
        bad = sorted(stats[key]["bad"], reverse=True)
        all_ok &= not bad
        for n_diff, sdiff, doc_id, where, ref_s, rust_s in bad[: args.worst]:
            print(f"  {key} {doc_id}: {n_diff} differing runs; sentences ref {ref_s} rust {rust_s}; {where}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
