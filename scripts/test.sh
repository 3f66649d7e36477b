#!/usr/bin/env bash
# The whole test suite: unit tests, and the HTTP integration tests twice: on SQLite with local
# files, and on a throwaway PostgreSQL with a throwaway Garage (S3), both started here and
# removed afterwards. Installs the `postgresql`, `poppler-utils`, `zbar-tools`, `chromium` and
# `chromium-driver` packages when missing and builds Garage once (cached). Extra arguments go to
# `cargo test`; without any, the mini-program SDK is checked first against the contract
# (scripts/sdk.sh, a few seconds;
# SDK_CHECK=0 skips it, SDK_CHECK=1 runs it even with arguments), and the API contract is checked
# against the running server after the tests, with the server binary they built
# (scripts/contract.sh; CONTRACT_FUZZ=0 skips it, CONTRACT_FUZZ=1 runs it even with arguments).
# Neither switch is a ZHUJIAN_ name, which the server would read as a setting.
set -euo pipefail
cd "$(dirname "$0")/.."

# The SDK fails fast, before the long build: a contract change that breaks it is found at once.
if [ "${SDK_CHECK:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  ./scripts/sdk.sh
fi

find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

pg_bin=$(find_pg_bin || true)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL binaries not found: installing the postgresql package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(find_pg_bin)
fi

# The certificate tests read the PDFs back with poppler and scan their QR codes with zbar; the
# staff console's browser tests drive Debian's Chromium through its chromedriver.
missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL refuses to run as root: as root, run it as the postgres user.
as_pg() { "$@"; }
pg_dir=$(mktemp -d /tmp/zhujian-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$pg_dir"
  as_pg() { runuser -u postgres -- "$@"; }
fi

pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
source scripts/garage.sh
source scripts/models.sh
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  stop_garage
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
# The EXPLAIN guard (tests/api/explain/) turns statement logging on for its own connections and
# reads its statements back from this log, found by the database name in each line's prefix.
echo "log_line_prefix = '%m [%p] db=%d '" >>"$pg_dir/data/postgresql.conf"
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off" \
  start >/dev/null
echo "test PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port" >&2

start_garage
prepare_face_models

export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
# The backup drill (tests/api/backup.rs) runs pg_dump and pg_restore of the same version.
export PATH="$pg_bin:$PATH"
export TEST_POSTGRES_LOG="$pg_dir/server.log"
cargo test --locked --workspace "$@"

# The fuzz drives the server binary the tests just built: a second, release build would cost a
# fresh machine a quarter of an hour, and the contract is about shapes, not speed (the face
# engine and its decoders are optimised in this profile too). CONTRACT_BIN overrides it.
if [ "${CONTRACT_FUZZ:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  CONTRACT_BIN="${CONTRACT_BIN:-${CARGO_TARGET_DIR:-target}/debug/zhujian}" ./scripts/contract.sh
fi
