#!/bin/bash
# The benchmark WARC (300 MB of real pages, gzip per record), built once with
# ../shared/data/warc/make_big_warc.py into WORK_DIR; prints its path.
#   WARC=$(bash scripts/big_warc.sh [WORK_DIR])
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/thresh-bench-warc}
mkdir -p "$WORK"
[ -s "$WORK/big.warc.gz" ] || python3 "$ROOT/../shared/data/warc/make_big_warc.py" "$WORK/big.warc.gz" --mb 300 >&2
echo "$WORK/big.warc.gz"
