#!/bin/bash
# WARC throughput, one core: the reader, records to documents, and `thresh run` from a gzip WARC
# to JSON Lines with and without `html_extract` (1 and 2 threads). Builds the 300 MB WARC of
# real pages with ../shared/data/warc/make_big_warc.py first.
#   bash scripts/bench_warc.sh [WORK_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARC=$(bash "$ROOT/scripts/big_warc.sh" "${1:-/tmp/thresh-bench-warc}")
WORK=$(dirname "$WARC")
(cd "$ROOT" && cargo build --release --quiet -p thresh-cli && cargo build --release --quiet -p thresh-io --example warc_speed)
BIN="$ROOT/target/release"
echo "== reader, every record; then records to documents (best of 3 each)"
for mode in "" --docs; do
  for _ in 1 2 3; do taskset -c 0 "$BIN/examples/warc_speed" "$WARC" $mode | tail -1; done
done
printf '[input]\npaths = ["big.warc.gz"]\n\n[[step]]\ntype = "html_extract"\n\n[output]\npath = "out-extract"\n' > "$WORK/extract.toml"
printf '[input]\npaths = ["big.warc.gz"]\n\n[[step]]\ntype = "length"\nmin_chars = 0\n\n[output]\npath = "out-plain"\n' > "$WORK/plain.toml"
for run in "plain.toml 1 0" "extract.toml 1 0" "extract.toml 2 0,1"; do
  set -- $run
  echo "== thresh run $1 --threads $2 (taskset -c $3): seconds, peak RSS KB"
  for _ in 1 2 3; do
    /usr/bin/time -f "%e s %M KB" taskset -c "$3" "$BIN/thresh" run "$WORK/$1" --threads "$2" --overwrite -q
  done
done
python3 - "$WORK/out-extract/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"html_extract: read {s['read']}, kept {s['kept']}, dropped {s['dropped']}, {s['bytes_in'] / 1e6:.0f} MB in")
PY
