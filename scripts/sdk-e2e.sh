#!/usr/bin/env bash
# The mini-program SDK against the real server, by hand (not part of scripts/test.sh: it needs
# a server build). Builds the server (debug; CARGO_TARGET_DIR respected) and the SDK, starts
# the server on a free port with a throwaway SQLite database and storage on the development
# profile (WeChat stand-ins), a 3 s access token life and WeChat face verification allowed,
# creates a district account, and runs mini-program-api/sdk/e2e/smoke.ts: sign-in,
# registration with the test photos, English problems, concurrent calls on an expired token
# sharing one refresh, refresh-token reuse ending the sign-in, the inbox, accepting employment.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/models.sh

cargo build --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/zhujian"
./scripts/sdk.sh >/dev/null # installs, checks and builds the SDK into build/
prepare_face_models

dir=$(mktemp -d /tmp/zhujian-sdk-e2e.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ZHUJIAN_SERVER_LISTEN="127.0.0.1:$port" ZHUJIAN_STORAGE_DIR="$dir/storage" \
  ZHUJIAN_AUTH_ACCESS_TOKEN_TTL_SECS=3 ZHUJIAN_IDENTITY_FACE_METHODS=both
"$bin" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done
password=$("$bin" admin create-staff --username d1 --name 区级 --role district --district 370102 | sed -n 's/^password: //p')
D1_PASSWORD="$password" SMS_LOG="$dir/storage/sms.log" \
  node mini-program-api/sdk/build/e2e/smoke.js "http://127.0.0.1:$port" "$PWD/tests/fixtures/faces"
