#!/bin/bash
# An S3-compatible server for thresh's object-storage tests: installs moto's server (moto[server]
# from PyPI, a real HTTP implementation of the S3 API) into a virtualenv outside the repository
# when missing, and prints the path of its `moto_server` program. The tests start it themselves
# on a free loopback port; point them at it with THRESH_MOTO_SERVER=<that path>. Idempotent.
#   export THRESH_MOTO_SERVER=$(bash scripts/s3_local.sh)
set -eu
venv="${THRESH_MOTO_VENV:-${HOME}/.cache/thresh-moto}"
if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q "moto[server]>=5" >&2
fi
echo "$venv/bin/moto_server"
