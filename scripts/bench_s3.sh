#!/bin/bash
# Object storage against local files: the 300 MB gzip WARC of bench_warc.sh read alone (every
# document dropped, nothing written), then through `html_extract` to JSON Lines (zstd), read
# from and written to moto's S3 server on loopback, and the same runs on local files; each three
# times, 2 threads. moto is a Python server, so the S3 figures bound what thresh's object-store
# path costs from above; they are not S3's speed.
#   bash scripts/bench_s3.sh [WORK_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARC=$(bash "$ROOT/scripts/big_warc.sh" "${1:-/tmp/thresh-bench-warc}")
WORK=$(dirname "$WARC")
(cd "$ROOT" && cargo build --release --quiet -p thresh-cli)
BIN="$ROOT/target/release/thresh"
MOTO=$(bash "$ROOT/scripts/s3_local.sh")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MOTO" -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID' EXIT
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
"$(dirname "$MOTO")/python" - "$WARC" <<'PY'
import sys, time, boto3
s3 = boto3.client("s3")
for _ in range(100):
    try:
        s3.create_bucket(Bucket="bench"); break
    except Exception:
        time.sleep(0.1)
s3.upload_file(sys.argv[1], "bench", "warc/big.warc.gz")
PY
printf '[input]\npaths = ["s3://bench/warc"]\n\n[[step]]\ntype = "html_extract"\n\n[output]\npath = "s3://bench/out"\n' > "$WORK/s3.toml"
printf '[input]\npaths = ["big.warc.gz"]\n\n[[step]]\ntype = "html_extract"\n\n[output]\npath = "out-local"\n' > "$WORK/local.toml"
# Reading alone: every document dropped by a length bound, nothing written.
printf '[input]\npaths = ["s3://bench/warc"]\n\n[[step]]\ntype = "length"\nmin_chars = 1000000000\n\n[output]\npath = "s3://bench/read"\nwrite_dropped = false\n' > "$WORK/s3-read.toml"
printf '[input]\npaths = ["big.warc.gz"]\n\n[[step]]\ntype = "length"\nmin_chars = 1000000000\n\n[output]\npath = "out-read"\nwrite_dropped = false\n' > "$WORK/local-read.toml"
for pipeline in local-read.toml s3-read.toml local.toml s3.toml; do
  echo "== thresh run $pipeline --threads 2: seconds, peak RSS KB"
  for _ in 1 2 3; do
    /usr/bin/time -f "%e s %M KB" "$BIN" run "$WORK/$pipeline" --threads 2 --overwrite -q
  done
done
"$BIN" stats s3://bench/out | head -4
