#!/usr/bin/env python3
"""Single-core speed of the recommended chain, of each of its steps alone, and of the four
quality filters next to datatrove's chained pipeline.

Builds a corpus of real page texts (the pages of ../shared/data/web with 1,000–10,000 bytes of
text, repeated under new ids up to --mb MB) in the work directory, then times whole `thresh run`
processes on one core (`taskset -c 0 ... --threads 1`, median of --rounds):
read -> write only, each step alone, and the recommended chain without deduplication
(examples/recommended.toml's steps before exact_dedup). With --with-datatrove it also runs
datatrove 0.10.1's four filters chained (../shared/peers/datatrove_filters_chain.py) and
thresh's four with preset = "datatrove" on the English pages of the same size range, one
core each, --rounds times each, and prints the ratio of the median whole-process times.

    scripts/bench_chain.py [--shared ../shared] [--bin target/release/thresh] [--mb 95]
                           [--rounds 3] [--work DIR] [--with-datatrove]
"""
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
import tomllib

from thresh_run import script_args

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ALONE = ["language", "gopher_repetition", "gopher_quality", "stuffing", "c4_quality", "fineweb_quality"]
FOUR = ["gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"]


def pages(shared, langs):
    """Texts of the shared web pages (of `langs`) with 1,000-10,000 bytes of UTF-8."""
    out = []
    for lang in langs:
        for line in gzip.open(os.path.join(shared, "data", "web", f"{lang}.jsonl.gz"), "rt", encoding="utf-8"):
            d = json.loads(line)
            if 1000 <= len(d["text"].encode("utf-8")) <= 10000:
                out.append((f"{lang}/{d['id']}", d["text"]))
    return out


def write_corpus(path, docs, mb):
    """Writes `docs` round after round, ids suffixed with the round, until `mb` MB of text."""
    total, rnd = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while total < mb * 1e6:
            for i, text in docs:
                f.write(json.dumps({"id": f"{i}/{rnd}", "text": text}, ensure_ascii=False) + "\n")
                total += len(text.encode("utf-8"))
                if total >= mb * 1e6:
                    break
            rnd += 1
    return total


def recommended_chain():
    """examples/recommended.toml's steps before its first deduplication step, as (type, TOML)."""
    with open(os.path.join(ROOT, "examples", "recommended.toml"), "rb") as f:
        steps = tomllib.load(f)["step"]
    chain = []
    for step in steps:
        if step["type"].endswith("_dedup"):
            break
        chain.append((step["type"], "".join(f"{k} = {json.dumps(v)}\n" for k, v in step.items() if k != "type")))
    return chain


def steps_toml(steps):
    return "".join(f'[[step]]\ntype = "{t}"\n{extra}\n' for t, extra in steps)


def timed_run(binary, work, name, src, steps, rounds):
    """Median wall seconds of `thresh run` on one core over `rounds` runs, and its stats."""
    toml = f'[input]\npaths = [{json.dumps(src)}]\n\n{steps_toml(steps)}[output]\npath = "out-{name}"\n'
    path = os.path.join(work, f"{name}.toml")
    with open(path, "w") as f:
        f.write(toml)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", binary, "run", path, "-q", "--overwrite", "--threads", "1"], check=True)
        times.append(time.perf_counter() - t)
    with open(os.path.join(work, f"out-{name}", "stats.json")) as f:
        stats = json.load(f)
    return statistics.median(times), stats


def main():
    def extra(ap):
        ap.add_argument("--mb", type=float, default=95)
        ap.add_argument("--rounds", type=int, default=3)
        ap.add_argument("--work", default="/tmp/thresh-bench-chain")
        ap.add_argument("--with-datatrove", action="store_true")

    args = script_args(__doc__, os.path.join("data", "web"), extra)
    if args is None:
        return 0
    os.makedirs(args.work, exist_ok=True)
    src = os.path.join(args.work, "pages.jsonl")
    docs = pages(args.shared, ["de", "en", "other"])
    total = write_corpus(src, docs, args.mb)
    mb = total / 1e6
    print(f"corpus: {len(docs)} distinct pages of 1-10 KB, {mb:.1f} MB of text; one core, median of {args.rounds}")
    print("| pipeline | seconds | MB/s | step alone (s, minus read->write) |")
    print("|---|---|---|---|")
    base, _ = timed_run(args.bin, args.work, "plain", src, [], args.rounds)
    print(f"| read -> write only | {base:.2f} | {mb / base:.0f} | |")
    for step in ALONE:
        s, _ = timed_run(args.bin, args.work, step, src, [(step, "")], args.rounds)
        print(f"| `{step}` | {s:.2f} | {mb / s:.1f} | {s - base:.2f} |")
    s, stats = timed_run(args.bin, args.work, "chain", src, recommended_chain(), args.rounds)
    print(f"| recommended chain without dedup | {s:.2f} | **{mb / s:.1f}** | {s - base:.2f} |")
    print(f"chain: read {stats['read']}, kept {stats['kept']}, dropped {stats['dropped']}")

    if args.with_datatrove:
        en = pages(args.shared, ["en"])
        indir = os.path.join(args.work, "en-pages")
        os.makedirs(indir, exist_ok=True)
        en_src = os.path.join(indir, "en.jsonl")
        with open(en_src, "w", encoding="utf-8") as f:
            for i, text in en:
                f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        en_mb = sum(len(t.encode("utf-8")) for _, t in en) / 1e6
        peers = os.environ.get("THRESH_PEERS", os.path.expanduser("~/.cache/thresh-peers"))
        dt_out = os.path.join(args.work, "dt-out")
        dt_times = []
        for _ in range(args.rounds):
            subprocess.run(["rm", "-rf", dt_out], check=True)
            t = time.perf_counter()
            subprocess.run(["taskset", "-c", "0", os.path.join(peers, "dt", "bin", "python"),
                            os.path.join(args.shared, "peers", "datatrove_filters_chain.py"), indir, dt_out],
                           check=True, capture_output=True)
            dt_times.append(time.perf_counter() - t)
        dt = statistics.median(dt_times)
        four = [(s, "" if s == "c4_quality" else 'preset = "datatrove"\n') for s in FOUR]
        th, _ = timed_run(args.bin, args.work, "four", en_src, four, args.rounds)
        print(f"\nthe four filters chained, {len(en)} English pages ({en_mb:.1f} MB), one core, whole process, median of {args.rounds}:")
        print(f"datatrove 0.10.1: {dt:.2f} s; thresh (preset datatrove): {th:.2f} s; ratio {dt / th:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
