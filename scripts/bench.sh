#!/usr/bin/env bash
# Runs a benchmark program from benches/ in release mode, with what it needs started first.
#   ./scripts/bench.sh upload     uploads through the server into Garage vs direct S3 PUTs
#   ./scripts/bench.sh face       face engine: stage times, throughput, memory, accuracy
#   ./scripts/bench.sh checkin    check-ins over HTTP against the bare face engine
#   ./scripts/bench.sh results    assessment result lists and exports for a city's worth of data
#   ./scripts/bench.sh audit      acts with their audit event vs changes alone; audit verify speed
#   ./scripts/bench.sh face_index 1:N face index: search latency, memory, start-up load, correctness
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/bench.sh <benchmark>}
source scripts/garage.sh
source scripts/models.sh
trap stop_garage EXIT
start_garage
prepare_face_models
cargo bench --locked --bench "$name"
