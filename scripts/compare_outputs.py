#!/usr/bin/env python3
"""Runs the same pipelines with two thresh binaries and compares what they wrote: the same
shard files, JSON Lines shards byte for byte, Parquet shards row for row (each read back by
the second binary into JSON Lines), and `stats.json` without its timings. For a change that
must not change output (a redesign): exit status 1 on any difference.

usage: python3 scripts/compare_outputs.py BEFORE AFTER [--work /tmp/thresh-compare]

Pipelines: the bundled examples as shipped (quickstart, extract, recommended), and the real
page texts of ../shared/data/web (de, en, other) through the recommended steps as JSON Lines,
as Parquet partitioned by language, and with MinHash deduplication.
"""
import argparse, json, pathlib, shutil, subprocess, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEB = ROOT.parent / "shared" / "data" / "web"
TIMINGS = {"wall_seconds", "docs_per_second", "mb_per_second", "threads"}


def recommended_steps():
    text = (ROOT / "examples" / "recommended.toml").read_text()
    start = text.index("[[step]]")
    return text[start:text.index("[output]")]


def pipelines(work):
    """(name, pipeline file) pairs; each writes to the output given on the command line."""
    out = [(n, ROOT / "examples" / f"{n}.toml") for n in ("quickstart", "extract", "recommended")]
    if not WEB.exists():
        print(f"note: {WEB} is absent: only the bundled examples are compared")
        return out
    inputs = json.dumps([str(WEB / f"{l}.jsonl.gz") for l in ("de", "en", "other")])
    steps = recommended_steps()
    variants = {
        "web-jsonl": (steps, ""),
        "web-parquet": (steps, 'format = "parquet"\npartition_by = "lang"\nmax_docs_per_shard = 700'),
        "web-minhash": ('[[step]]\ntype = "language"\n\n[[step]]\ntype = "minhash_dedup"\n', ""),
    }
    for name, (body, output) in variants.items():
        p = work / f"{name}.toml"
        p.write_text(f"[input]\npaths = {inputs}\n\n{body}\n[output]\npath = \"unused\"\n{output}\n")
        out.append((name, p))
    return out


def run(binary, pipeline, out):
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([binary, "run", str(pipeline), "-q", "--threads", "2", "--output", str(out)], check=True)


def files(out):
    return sorted(p.relative_to(out).as_posix() for sub in ("kept", "dropped") if (out / sub).exists()
                  for p in (out / sub).rglob("*") if p.is_file())


def parquet_rows(binary, shard, work):
    """The rows of a Parquet shard as JSON Lines, read back by `binary`."""
    back = work / "readback"
    p = work / "readback.toml"
    p.write_text(f'[input]\npaths = ["{shard}"]\n\n[output]\npath = "{back}"\ncompression = "none"\nwrite_dropped = false\n')
    run(binary, p, back)
    return b"".join(f.read_bytes() for f in sorted((back / "kept").rglob("*.jsonl")))


def stats(out):
    s = json.loads((out / "stats.json").read_text())
    return {k: v for k, v in s.items() if k not in TIMINGS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--work", default="/tmp/thresh-compare")
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    failures = 0
    for name, pipeline in pipelines(work):
        outs = {}
        for side, binary in (("before", a.before), ("after", a.after)):
            outs[side] = work / f"{name}-{side}"
            run(binary, pipeline, outs[side])
        b, f = outs["before"], outs["after"]
        problems = []
        if files(b) != files(f):
            problems.append(f"shard files differ: {sorted(set(files(b)) ^ set(files(f)))[:5]}")
        same_bytes = rows = rows_bytes = 0
        for rel in set(files(b)) & set(files(f)):
            x, y = (b / rel).read_bytes(), (f / rel).read_bytes()
            if rel.endswith(".parquet"):
                rows += 1
                rows_bytes += x == y
                if x != y and parquet_rows(a.after, b / rel, work) != parquet_rows(a.after, f / rel, work):
                    problems.append(f"{rel}: rows differ")
            elif x == y:
                same_bytes += 1
            else:
                problems.append(f"{rel}: bytes differ")
        if stats(b) != stats(f):
            problems.append("stats.json differs")
        status = "same" if not problems else "DIFFERENT"
        print(f"{name:12} {status}: {len(files(b))} shard files ({same_bytes} JSON Lines byte for byte, {rows} Parquet row for row, {rows_bytes} of them byte for byte), stats.json {'same' if stats(b) == stats(f) else 'different'}")
        for p in problems[:10]:
            print(f"  {p}")
        failures += bool(problems)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
