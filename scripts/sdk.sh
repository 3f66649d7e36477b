#!/usr/bin/env bash
# The mini-program SDK (mini-program-api/sdk) checked against the API contract: its generated
# types must match openapi.json and errors.json (regenerated and compared), the SDK, its
# journey examples and its tests must pass `tsc --strict`, and the unit tests run against a fake
# wx. Installs Node.js and npm with apt-get when missing; dependencies come from the committed
# package-lock.json (npm ci, cached under ~/.cache/zhujian/npm, skipped while unchanged).
# Usage: scripts/sdk.sh [generate]
set -euo pipefail
cd "$(dirname "$0")/../mini-program-api/sdk"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js or npm not found: installing the nodejs and npm packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.installed-from-lock
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --cache "$HOME/.cache/zhujian/npm" --prefer-offline --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

# `scripts/sdk.sh generate`: regenerate the types first (after openapi.json or errors.json
# changed), then check; commit the regenerated src/*.gen.ts with the contract.
if [ "${1:-}" = generate ]; then
  npm run --silent generate
fi

# package.json's test: the regenerated types must equal the committed ones (else the SDK is
# stale against the contract); tsc over the SDK and examples as the mini-program compiles them
# (no Node types); tsc over everything with the tests; the tests on Node's runner.
npm test --silent
