#!/bin/bash
# thresh's WARC reader next to FastWARC's: the same 300 MB gzip-per-record WARC (built by
# scripts/big_warc.sh), in one session, one core each (taskset -c 0), runs interleaved
# (thresh, [thresh before,] FastWARC, thresh, ...). Both read every record and its whole block:
# thresh's `warc_speed` example (WarcReader over the decompressed stream) and
# scripts/bench_warc_fastwarc.py (FastWARC's ArchiveIterator, any record type, reader.read()).
# MB/s is of the decompressed file (its size measured once with gzip -dc) over each reader's own
# timing of its loop; the wall time and peak RSS are the whole process's (/usr/bin/time).
# Prints every run, then the median of each figure and the ratio of the median MB/s.
#   bash scripts/bench_warc_fastwarc.sh [WORK_DIR] [RUNS]
# PYTHON: an interpreter with fastwarc installed (default: python3).
# BEFORE: another build of the `warc_speed` example (e.g. an earlier commit's) to run alongside.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARC=$(bash "$ROOT/scripts/big_warc.sh" "${1:-/tmp/thresh-bench-warc}")
RUNS=${2:-5}
PY=${PYTHON:-python3}
(cd "$ROOT" && cargo build --release --quiet -p thresh-io --example warc_speed)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/warc_speed"
BYTES=$(gzip -dc "$WARC" | wc -c)
echo "$WARC: $(stat -c %s "$WARC") bytes, $BYTES decompressed; $RUNS runs each, taskset -c 0"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
: > "$TMP/runs.tsv"
run() { # NAME COMMAND...: one run; appends name, records, MB/s, wall s, peak RSS KB
  local name=$1
  shift
  /usr/bin/time -o "$TMP/time" -f "%e %M" taskset -c 0 "$@" > "$TMP/out"
  local line records mbs
  line=$(tail -1 "$TMP/out")
  records=$(grep -oE '[0-9]+ records' <<< "$line" | grep -oE '[0-9]+')
  mbs=$(grep -oE '[0-9]+ MB/s' <<< "$line" | grep -oE '[0-9]+')
  read -r wall rss < "$TMP/time"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$records" "$mbs" "$wall" "$rss" >> "$TMP/runs.tsv"
  printf '  %-14s %6s records %5s MB/s %6s s wall %7s KB peak RSS\n' "$name" "$records" "$mbs" "$wall" "$rss"
}
for _ in $(seq "$RUNS"); do
  run thresh "$BIN" "$WARC"
  if [ -n "${BEFORE:-}" ]; then run thresh-before "$BEFORE" "$WARC"; fi
  run FastWARC "$PY" "$ROOT/scripts/bench_warc_fastwarc.py" "$WARC" --bytes "$BYTES"
done
python3 - "$TMP/runs.tsv" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, records, mbs, wall, rss = line.split("\t")
    runs.setdefault(name, []).append((int(records), float(mbs), float(wall), int(rss)))
print("median of each:")
for name, rs in runs.items():
    counts = sorted({r[0] for r in rs})
    print(f"  {name:14} {'/'.join(map(str, counts)):>6} records {statistics.median(r[1] for r in rs):5.0f} MB/s "
          f"{statistics.median(r[2] for r in rs):6.2f} s wall {statistics.median(r[3] for r in rs):7.0f} KB peak RSS")
counts = {r[0] for rs in runs.values() for r in rs}
print("record counts", "equal" if len(counts) == 1 else f"DIFFER: {sorted(counts)}")
fw = statistics.median(r[1] for r in runs["FastWARC"])
for name in runs:
    if name != "FastWARC":
        print(f"{name} / FastWARC, median MB/s: {statistics.median(r[1] for r in runs[name]) / fw:.2f}")
PY
