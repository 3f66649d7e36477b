#!/usr/bin/env bash
# Runs a benchmark program from benches/ in release mode, with what it needs started first.
#   ./scripts/bench.sh upload     uploads through the server into Garage vs direct S3 PUTs
#   ./scripts/bench.sh face       face engine: stage times (beside dlib's), throughput, memory,
#                                 accuracy, liveness (`face liveness`: that part alone)
#   ./scripts/bench.sh checkin    check-ins over HTTP against the bare face engine
#   ./scripts/bench.sh results    assessment result lists, exports and console pages for a city's
#                                 worth of data, on SQLite and on PostgreSQL (started here)
#   ./scripts/bench.sh audit      acts with their audit event vs changes alone; audit verify speed
#   ./scripts/bench.sh face_index 1:N face index: search latency, memory, start-up load, correctness
#   ./scripts/bench.sh certificates  500,000 certificates imported over HTTP; my certificates and
#                                 the public lookup at that size (BENCH_POSTGRES_URL: PostgreSQL too)
#   ./scripts/bench.sh city       a city (1M persons, 100k enterprises, 10M check-in attempts…)
#                                 generated with COPY; hot paths on it vs an empty database
#                                 (BENCH_CITY_SCALE=0.1 for a tenth; PostgreSQL started here
#                                 unless BENCH_POSTGRES_URL names one; ~13 GB at full scale,
#                                 ~7 GB at 0.6; BENCH_CITY_DRILL=<dir> also times a backup
#                                 and restore of the city there, ~25 GB more)
#   ./scripts/bench.sh balanced   three instances behind HAProxy (installed by package name):
#                                 throughput with 1, 2 and 3; one killed mid-write; throttling
#                                 and logout across instances
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/bench.sh <benchmark>}
source scripts/garage.sh
source scripts/models.sh

# dlib's own stages, for the face benchmark's side-by-side table: built only where Debian's
# libdlib-dev and a C++ compiler are installed (with libopenblas0-pthread for a fair BLAS).
build_dlib_stages() {
  local out=target/dlib-stages
  if [ ! -f /usr/include/dlib/dnn.h ] || ! command -v g++ >/dev/null; then
    echo "dlib comparison skipped: install libdlib-dev, libopenblas0-pthread and g++ for it"
    return
  fi
  if [ ! -x "$out" ] || [ benches/dlib/stages.cpp -nt "$out" ]; then
    echo "building dlib's stage timer (about a minute)"
    local lib=/usr/lib/x86_64-linux-gnu
    g++ -std=c++17 -O2 -o "$out" benches/dlib/stages.cpp -ldlib -lpthread -lpng -lz -ljpeg \
      "$lib/libblas.so.3" "$lib/liblapack.so.3"
  fi
  export ZHUJIAN_DLIB_STAGES=$PWD/$out
}

# A throwaway PostgreSQL for the city, balanced and results benchmarks, set up as
# scripts/test.sh sets up the tests' (trust auth, fsync off), with room for bulk loading;
# removed on exit (stop_postgres).
as_pg() { "$@"; }
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_dir=$(mktemp -d "${BENCH_PG_DIR:-$PWD/target}/bench-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$pg_dir"
    as_pg() { runuser -u postgres -- "$@"; }
  fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=1GB -c maintenance_work_mem=512MB \
    -c shared_buffers=1GB" start >/dev/null
  export BENCH_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}
stop_postgres() {
  if [ -n "${pg_dir:-}" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap 'stop_postgres; stop_garage' EXIT

start_garage
prepare_face_models
if { [ "$name" = city ] || [ "$name" = balanced ] || [ "$name" = results ]; } && [ -z "${BENCH_POSTGRES_URL:-}" ]; then
  start_postgres
fi
if [ "$name" = balanced ] && [ ! -x /usr/sbin/haproxy ]; then
  echo "installing HAProxy (Debian package haproxy)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
if [ "$name" = face ]; then
  build_dlib_stages
fi
cargo bench --locked --bench "$name" -- "${@:2}"
