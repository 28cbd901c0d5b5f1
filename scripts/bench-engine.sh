#!/usr/bin/env bash
# Engine throughput: read → write and read → normalize → length → write on a generated
# ~1 GB JSONL.zst corpus, one core (taskset) and all cores; then peak memory on ~2 GB.
#   scripts/bench-engine.sh [WORK_DIR]     (default /tmp/thresh-bench; needs python3, zstd)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/thresh-bench}
mkdir -p "$work"
cd "$work"
if [ ! -d zst ]; then
  python3 "$repo/scripts/gen_corpus.py" --mb 1000 --files 8 raw >/dev/null
  mkdir -p zst
  for f in raw/*.jsonl; do zstd -q -3 -T0 -f "$f" -o "zst/$(basename "$f").zst"; done
fi
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/thresh"

cat > plain.toml <<'T'
[input]
paths = ["zst"]
[output]
path = "out-plain"
T
cat > norm-len.toml <<'T'
[input]
paths = ["zst"]
[[step]]
type = "normalize"
[[step]]
type = "length"
min_words = 50
[output]
path = "out-norm-len"
T
cat > two-gb.toml <<'T'
[input]
paths = ["zst", "raw"]
[[step]]
type = "normalize"
[[step]]
type = "length"
min_words = 50
[output]
path = "out-2gb"
T

measure() { # label, pipeline, threads, cpu list
  local out
  out=$( { /usr/bin/time -f "maxrss_kb %M" taskset -c "$4" "$bin" run "$2" --threads "$3" --overwrite -q; } 2>&1 )
  local stats
  stats=$(grep '^path =' "$2" | sed 's/.*"\(.*\)"/\1/')/stats.json
  python3 - "$1" "$stats" "$out" "$3" <<'P'
import json, sys
label, stats, out, threads = sys.argv[1:]
s = json.load(open(stats))
rss = int(out.split("maxrss_kb")[1].split()[0]) / 1024
mb = s["bytes_in"] / 1e6
print(f"| {label} | {threads} | {mb:,.0f} MB | {s['read']:,} | {s['wall_seconds']:.1f} s | {s['mb_per_second']:.0f} MB/s | {s['docs_per_second']:,.0f} docs/s | {rss:,.0f} MB |")
P
}
echo "| run | threads | input (uncompressed) | docs | wall | throughput | docs/s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
measure "read → write (JSONL.zst → JSONL.zst)" plain.toml 1 0
measure "read → normalize → length → write" norm-len.toml 1 0
measure "read → write (JSONL.zst → JSONL.zst)" plain.toml 2 0-1
measure "read → normalize → length → write" norm-len.toml 2 0-1
measure "2 GB: read → normalize → length → write" two-gb.toml 2 0-1
