#!/bin/bash
# az:// against a real Azure Blob Storage emulator (Azurite, from npm) on loopback: the bundled
# example written to a container, its kept documents read back from it, compared with the same
# run on local files. A manual check (CI tests s3:// only); prints "az:// matches the local run".
#   bash scripts/check_azure.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${THRESH_AZURITE_DIR:-$HOME/.cache/thresh-azurite}
WORK=$(mktemp -d)
mkdir -p "$CACHE"
[ -x "$CACHE/node_modules/.bin/azurite-blob" ] || (cd "$CACHE" && npm install --silent azurite@3 >/dev/null)
[ -x "$CACHE/venv/bin/python" ] || { python3 -m venv "$CACHE/venv" && "$CACHE/venv/bin/pip" install -q azure-storage-blob; }
(cd "$ROOT" && cargo build --release --quiet -p thresh-cli)
BIN="$ROOT/target/release/thresh"
"$CACHE/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort 10000 --location "$WORK/azurite" --skipApiVersionCheck --loose >/dev/null 2>&1 &
AZURITE=$!
trap 'kill $AZURITE; rm -rf "$WORK"' EXIT
"$CACHE/venv/bin/python" - <<'PY'
import time
from azure.storage.blob import BlobServiceClient
# Azurite's well-known development account (public, documented by Microsoft).
conn = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlm"
        "EtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")
for attempt in range(100):
    try:
        BlobServiceClient.from_connection_string(conn).create_container("thresh")
        break
    except Exception:
        if attempt == 99:
            raise
        time.sleep(0.1)
PY
export AZURE_STORAGE_USE_EMULATOR=true AZURE_STORAGE_ACCOUNT_NAME=devstoreaccount1
"$BIN" run "$ROOT/examples/quickstart.toml" --output az://thresh/quickstart -q
"$BIN" run "$ROOT/examples/quickstart.toml" --output "$WORK/local" -q
printf '[input]\npaths = ["az://thresh/quickstart/kept"]\n\n[output]\npath = "%s"\n' "$WORK/back" > "$WORK/back.toml"
"$BIN" run "$WORK/back.toml" -q
"$BIN" stats az://thresh/quickstart | head -4
if cmp -s <(zstdcat "$WORK"/local/kept/*.zst) <(zstdcat "$WORK"/back/kept/*.zst); then
  echo "az:// matches the local run"
else
  echo "az:// differs from the local run" >&2
  exit 1
fi
