#!/usr/bin/env bash
# The API contract checked against the running server: a release build on loopback with a
# throwaway SQLite database and storage, seeded with an account of every role (sysadmin, city,
# district, supervisor, enterprise, person, training institution), fuzzed by schemathesis from
# /openapi.json with each role's token. Fails on any 5xx, any answer whose status, content type
# or body the document does not declare, and any request that breaks the document yet is
# accepted.
#
# schemathesis is installed once into a virtualenv under $ZHUJIAN_CACHE (~/.cache/zhujian).
# CONTRACT_SECONDS (default 30) bounds the fuzzing of each role; CONTRACT_ROLES picks roles.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
cache="${ZHUJIAN_CACHE:-$HOME/.cache/zhujian}"
venv="$cache/schemathesis-venv"
seconds="${CONTRACT_SECONDS:-30}"

install_schemathesis() {
  if "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    return 0
  fi
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    # Debian ships venv and ensurepip separately.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

install_schemathesis
# CONTRACT_BIN: an already built server binary (e.g. a debug build while iterating).
bin="${CONTRACT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/zhujian"
fi

work=$(mktemp -d /tmp/zhujian-contract.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ZHUJIAN_STORAGE_DIR="$work/storage"
export ZHUJIAN_SERVER_LISTEN="127.0.0.1:$port"
export ZHUJIAN_FACE_MODELS_DIR="${ZHUJIAN_FACE_MODELS_DIR:-$cache/models}"
export ZHUJIAN_LOG_LEVEL="${ZHUJIAN_LOG_LEVEL:-warn}"
unset DATABASE_URL
base="http://127.0.0.1:$port"
api="$base/api/v1"
password='Contract-2026'

"$bin" models fetch >&2
for role in sysadmin city district supervisor; do
  district=()
  [ "$role" = district ] || [ "$role" = supervisor ] && district=(--district 370102)
  echo "$password" | "$bin" admin create-staff --username "fuzz-$role" --name "$role" --role "$role" \
    "${district[@]}" --password-stdin >/dev/null
done

"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -sf "$base/readyz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

post() { curl -sf "$api$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
token_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'; }
declare -A tokens
for role in sysadmin city district supervisor; do
  tokens[$role]=$(post /auth/staff/login "{\"username\":\"fuzz-$role\",\"password\":\"$password\"}" | token_of)
done
credit_code=91350100M000100Y43
post /enterprises "{\"credit_code\":\"$credit_code\",\"name\":\"契约测试建设有限公司\",\"district_code\":\"370102\",
  \"contact_name\":\"张三\",\"contact_phone\":\"13812345678\"}" -H "authorization: Bearer ${tokens[district]}" >/dev/null
initial=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["template"] == "InitialPassword": print(m["params"][-1])' "$ZHUJIAN_STORAGE_DIR/sms.log" | tail -1)
tokens[enterprise]=$(post /auth/enterprise/login "{\"credit_code\":\"$credit_code\",\"password\":\"$initial\"}" | token_of)
tokens[person]=$(post /auth/wechat/login '{"code":"contract-fuzz"}' | token_of)
post /training-institutions "{\"name\":\"契约测试培训中心\",\"username\":\"fuzz-training\",\"password\":\"$password\"}" \
  -H "authorization: Bearer ${tokens[city]}" >/dev/null
tokens[training]=$(post /auth/training/login "{\"username\":\"fuzz-training\",\"password\":\"$password\"}" | token_of)

started=$(date +%s)
failed=()
cd "$work" # schemathesis keeps its example database in the working directory
for role in ${CONTRACT_ROLES:-person enterprise supervisor district city sysadmin training}; do
  echo "== schemathesis as $role (${seconds}s)" >&2
  # Signing out would end the session the rest of the run uses.
  if ! "$venv/bin/schemathesis" run "$base/openapi.json" \
      --header "Authorization: Bearer ${tokens[$role]}" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,unsupported_method \
      --phases examples,coverage,fuzzing --max-time "$seconds" --max-examples 25 --workers 2 \
      --exclude-path /api/v1/auth/logout --seed 15 --no-color --output-truncate true \
      --suppress-health-check all --request-timeout 20 >"$work/$role.txt" 2>&1; then
    failed+=("$role")
  fi
  tail -n 40 "$work/$role.txt" >&2
done
echo "contract fuzzing took $(( $(date +%s) - started ))s" >&2
if grep -q "panicked\|internal error" "$work/server.log"; then
  grep "panicked\|internal error" "$work/server.log" | head -20 >&2
  failed+=("server-log")
fi
if [ ${#failed[@]} -gt 0 ]; then
  for role in "${failed[@]}"; do [ -f "$work/$role.txt" ] && cp "$work/$role.txt" "/tmp/contract-$role.txt"; done
  echo "the contract does not hold for: ${failed[*]} (full reports in /tmp/contract-<role>.txt)" >&2
  exit 1
fi
