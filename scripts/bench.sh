#!/usr/bin/env bash
# Runs a benchmark program from benches/ in release mode, with what it needs started first.
#   ./scripts/bench.sh upload     uploads through the server into Garage vs direct S3 PUTs
#   ./scripts/bench.sh face       face engine: stage times (beside dlib's), throughput, memory,
#                                 accuracy, liveness (`face liveness`: that part alone)
#   ./scripts/bench.sh checkin    check-ins over HTTP against the bare face engine
#   ./scripts/bench.sh results    assessment result lists and exports for a city's worth of data
#   ./scripts/bench.sh audit      acts with their audit event vs changes alone; audit verify speed
#   ./scripts/bench.sh face_index 1:N face index: search latency, memory, start-up load, correctness
#   ./scripts/bench.sh certificates  500,000 certificates imported over HTTP; my certificates and
#                                 the public lookup at that size (BENCH_POSTGRES_URL: PostgreSQL too)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/bench.sh <benchmark>}
source scripts/garage.sh
source scripts/models.sh
trap stop_garage EXIT

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

start_garage
prepare_face_models
if [ "$name" = face ]; then
  build_dlib_stages
fi
cargo bench --locked --bench "$name" -- "${@:2}"
