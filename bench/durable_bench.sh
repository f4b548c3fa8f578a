#!/usr/bin/env bash
# Issue 3, item 8: durable Standard throughput, Express StartSyncExecution latency and the RSS of
# sleeping executions, all through the API of a real `flowstate serve`, beside the raw SQLite
# limit of this disk (sqlite_raw_bench, same settings). Results: one JSON line per measurement.
#
#   BUILD_DIR=build bench/durable_bench.sh [--standard N] [--sleepers N] [--express N]
#                                          [--concurrency C]
# Data directories live in a temporary directory on the disk of $TMPDIR (default /tmp).
set -euo pipefail

build=${BUILD_DIR:-build}
standard=5000
sleepers=100000
express=50000
concurrency=64
while [ $# -gt 0 ]; do
  case $1 in
    --standard) standard=$2; shift 2 ;;
    --sleepers) sleepers=$2; shift 2 ;;
    --express) express=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

ninja -C "$build" -j2 flowstate api_load_bench sqlite_raw_bench >/dev/null
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server DATA [serve flags...]: sets $server (pid) and $endpoint.
start_server() {
  local data=$1
  shift
  local port
  port=$(free_port)
  "$build/flowstate" serve --host 127.0.0.1 --port "$port" --data "$data" "$@" \
    >"$work/serve.log" 2>&1 &
  server=$!
  endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do
    if python3 -c "import urllib.request; urllib.request.urlopen('$endpoint/health', timeout=1)" \
        2>/dev/null; then
      return
    fi
    sleep 0.05
  done
  echo "flowstate serve did not come up:" >&2
  cat "$work/serve.log" >&2
  exit 1
}

stop_server() {
  kill "$server"
  wait "$server" || true
  server=
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# raw SQLite limit (WAL, synchronous=FULL), N transitions per commit"
"$build/sqlite_raw_bench" --dir "$work/raw" --seconds 3 --sync full

echo "# durable Standard: $standard executions x 11 steps (10 Waits of 1 s at --wait-time-scale 0.001)"
start_server "$work/standard" --wait-time-scale 0.001
"$build/api_load_bench" --endpoint "$endpoint" --mode standard --executions "$standard" \
  --concurrency "$concurrency" --waits 10 --server-pid "$server"
stop_server

echo "# $sleepers sleeping executions (Wait of one year)"
start_server "$work/sleepers"
"$build/api_load_bench" --endpoint "$endpoint" --mode sleepers --executions "$sleepers" \
  --concurrency "$concurrency" --server-pid "$server"
stop_server

echo "# Express StartSyncExecution (one Pass state), 8 and $concurrency clients"
start_server ":memory:"
"$build/api_load_bench" --endpoint "$endpoint" --mode express --executions "$express" \
  --concurrency 8 --server-pid "$server"
"$build/api_load_bench" --endpoint "$endpoint" --mode express --executions "$express" \
  --concurrency "$concurrency" --server-pid "$server"
stop_server
