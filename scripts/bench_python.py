#!/usr/bin/env python3
"""Throughput of thresh's Python batch API next to the CLI, and of a datatrove pipeline with
ThreshFilter next to the all-datatrove one.

usage: python scripts/bench_python.py [--docs N] [--threads T] [--datatrove]
Run with a Python that has thresh installed (`pip install .`); --datatrove also needs datatrove
with its filters' dependencies (e.g. the peers' `dt` virtualenv with thresh's wheel installed).

Part 1: the same documents (real pages from ../shared/data/web, cycled to N) through the
recommended per-document steps (language, normalize, footer_lines, gopher_repetition,
fineweb_quality, gopher_quality, stuffing, c4_badwords) by `thresh run` (JSONL in, zstd shards
out, wall time of the process) and by `Pipeline.filter_batch` (the call alone), same threads;
kept counts must agree.
Part 2 (--datatrove): datatrove's LocalPipelineExecutor, 1 task, JsonlReader → its four quality
filters (GopherRepetition, GopherQuality, C4Quality, FineWebQuality; English defaults) →
JsonlWriter, against JsonlReader → ThreshFilter(the same four thresh steps) → JsonlWriter.
"""
import argparse, gzip, json, os, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "data" / "web"
STEPS = ["language", "normalize", "footer_lines", "gopher_repetition", "fineweb_quality",
         "gopher_quality", "stuffing", "c4_badwords"]


def pages():
    out = []
    for f in (WEB / n for n in ("de.jsonl.gz", "en.jsonl.gz", "other.jsonl.gz")):
        for line in gzip.open(f, "rt", encoding="utf-8"):
            out.append(json.loads(line)["text"])
    return out


def thresh_binary():
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "thresh-cli"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "thresh"


def part1(texts, threads):
    import thresh

    tmp = Path(tempfile.mkdtemp())
    (tmp / "in").mkdir()
    with open(tmp / "in" / "docs.jsonl", "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n")
    steps = "\n".join(f'[[step]]\ntype = "{s}"\n' for s in STEPS)
    (tmp / "p.toml").write_text(f'[input]\npaths = ["in"]\n\n{steps}\n[output]\npath = "out"\n')
    mb = sum(len(t.encode()) for t in texts) / 1e6
    binary = thresh_binary()
    best_cli = None
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([binary, "run", tmp / "p.toml", "--threads", str(threads), "--overwrite", "-q"], check=True)
        best_cli = min(best_cli or 1e9, time.perf_counter() - t0)
    cli_kept = json.loads((tmp / "out" / "stats.json").read_text())["kept"]
    p = thresh.Pipeline([{"type": s} for s in STEPS])
    best_py = None
    for _ in range(3):
        t0 = time.perf_counter()
        keep, _, _ = p.filter_batch(texts, threads=threads)
        best_py = min(best_py or 1e9, time.perf_counter() - t0)
    t0 = time.perf_counter()
    p.process_batch(texts, threads=threads)
    dicts = time.perf_counter() - t0
    n = len(texts)
    print(f"{n} documents, {mb:.1f} MB, {threads} thread(s), best of 3")
    print(f"  thresh run (process wall time):  {n / best_cli:,.0f} docs/s  {mb / best_cli:.1f} MB/s  kept {cli_kept}")
    print(f"  Pipeline.filter_batch:           {n / best_py:,.0f} docs/s  {mb / best_py:.1f} MB/s  kept {sum(keep)}")
    print(f"  Pipeline.process_batch (dicts):  {n / dicts:,.0f} docs/s")
    print(f"  CLI time / Python time: {best_cli / best_py:.2f}  (target: Python within 1.5x of the CLI)")
    assert sum(keep) == cli_kept, "the batch API and the CLI disagree"


def part2(limit):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
                                            GopherQualityFilter, GopherRepetitionFilter)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from thresh.datatrove import ThreshFilter

    tmp = Path(tempfile.mkdtemp())
    (tmp / "in").mkdir()
    docs = [json.loads(l) for l in gzip.open(WEB / "en.jsonl.gz", "rt", encoding="utf-8")][:limit]
    with open(tmp / "in" / "en.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d.get("id"), "text": d["text"]}, ensure_ascii=False) + "\n")
    variants = {
        "datatrove filters": [GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter()],
        "ThreshFilter": [ThreshFilter([{"type": "gopher_repetition"}, {"type": "gopher_quality"},
                                       {"type": "c4_quality"}, {"type": "fineweb_quality"}], batch_size=256, threads=1)],
    }
    print(f"datatrove LocalPipelineExecutor, 1 task, {len(docs)} English pages:")
    for name, filters in variants.items():
        out = tmp / name.replace(" ", "_")
        ex = LocalPipelineExecutor(pipeline=[JsonlReader(str(tmp / "in")), *filters, JsonlWriter(str(out), compression=None)],
                                   tasks=1, logging_dir=str(out) + "_logs")
        t0 = time.perf_counter()
        ex.run()
        secs = time.perf_counter() - t0
        kept = sum(len(f.read_text().splitlines()) for f in out.glob("*.jsonl"))
        print(f"  {name:<18} {secs:6.2f} s  {len(docs) / secs:8.1f} docs/s  kept {kept}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=30000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--datatrove", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    a = ap.parse_args()
    if not WEB.exists():
        sys.exit(f"skipped: {WEB} is absent")
    base = pages()
    texts = [base[i % len(base)] for i in range(a.docs)]
    if not a.skip_cli:
        part1(texts, a.threads)
    if a.datatrove:
        part2(1002)


if __name__ == "__main__":
    main()
