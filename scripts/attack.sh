#!/usr/bin/env bash
# Attacks a release build started on loopback (SQLite, a temporary data directory) the way
# issue 14's table did, and prints per row what was tried, what happened and whether it held.
# Every request goes to 127.0.0.1 (from source addresses 127.0.0.1–127.0.0.7); about a minute.
#   ./scripts/attack.sh | tee attack-output.txt
set -euo pipefail
cd "$(dirname "$0")/.."
# The server fetches the face models on its first start when they are not there yet.
export ZHUJIAN_FACE_MODELS_DIR="${ZHUJIAN_FACE_MODELS_DIR:-${ZHUJIAN_CACHE:-$HOME/.cache/zhujian}/models}"
ulimit -n 4096 2>/dev/null || true
cargo bench --locked --bench attack -- "$@"
