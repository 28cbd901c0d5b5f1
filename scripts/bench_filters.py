#!/usr/bin/env python3
"""Single-core speed of each quality step and of the four together, next to datatrove.

For ../shared/data/web/{de,en}.jsonl.gz: thresh with one step (and with all four) on one core
(`taskset -c 0 thresh run --threads 1`; the figure includes reading and writing), and, with
--with-datatrove, datatrove 0.10.1's own per-filter docs/s from ../shared/peers/datatrove_filters.py
(its filter() calls only) measured in the same run.

    scripts/bench_filters.py [--shared ../shared] [--bin target/release/thresh] [--with-datatrove]
"""
import os
import re
import subprocess
import sys
import tempfile

from thresh_run import run_pipeline, script_args

STEPS = ["gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"]


def thresh_speed(binary, src, lang, steps):
    with tempfile.TemporaryDirectory() as work:
        body = "\n".join(f'[[step]]\ntype = "{s}"\nmode = "annotate"\nlanguage = "{lang}"\n'
                         + ('' if s == "c4_quality" else 'preset = "datatrove"\n') for s in steps)
        _, stats = run_pipeline(binary, work, [src], body, one_core=True)
        return stats["docs_per_second"], stats["mb_per_second"]


def datatrove_speed(shared, src, code):
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run([os.path.join(shared, "peers", "py"), "dt", "datatrove_filters.py", src,
                              os.path.join(work, "o.jsonl"), "--lang", code],
                             check=True, capture_output=True, text=True)
        speeds = {}
        for line in (out.stdout + out.stderr).splitlines():
            m = re.match(r"(\w+): ([\d.]+) docs/s", line.strip())
            if m:
                speeds[m.group(1)] = float(m.group(2))
        return speeds


def main():
    args = script_args(__doc__, os.path.join("data", "web"),
                       lambda ap: ap.add_argument("--with-datatrove", action="store_true"))
    if args is None:
        return 0
    web = os.path.join(args.shared, "data", "web")
    print("| set | step | thresh docs/s | thresh MB/s | datatrove docs/s | ratio |")
    print("|---|---|---|---|---|---|")
    for lang, code in [("de", "deu"), ("en", "eng")]:
        src = os.path.abspath(os.path.join(web, f"{lang}.jsonl.gz"))
        dt = datatrove_speed(args.shared, src, code) if args.with_datatrove else {}
        for step in STEPS + ["all four"]:
            steps = STEPS if step == "all four" else [step]
            docs, mb = thresh_speed(args.bin, src, lang, steps)
            if step == "all four" and dt:
                # datatrove's filters run one after another: the chain's rate is the harmonic sum.
                peer = 1 / sum(1 / dt[s] for s in STEPS)
            else:
                peer = dt.get(step)
            peer_s = f"{peer:.0f}" if peer else "-"
            ratio = f"{docs / peer:.0f}×" if peer else "-"
            print(f"| {lang} | {step} | {docs:,.0f} | {mb:.2f} | {peer_s} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
