#!/usr/bin/env bash
# Runs the shared conformance corpus against a fresh `flowstate serve`, with run.py serving the
# corpus' Lambda functions. Usage: run_conformance.sh FLOWSTATE CONFORMANCE_DIR [run.py args...]
# Exits non-zero on any failing case.
set -euo pipefail

flowstate=$1
corpus=$2
shift 2

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

api_port=$(free_port)
lambda_port=$(free_port)
log=$(mktemp)
# Each run gets its own durable store (tests may run in parallel).
data=$(mktemp -d)
"$flowstate" serve --host 127.0.0.1 --port "$api_port" --data "$data" \
  --lambda-endpoint "http://127.0.0.1:$lambda_port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$api_port/health', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

cd "$corpus"
status=0
python3 run.py --endpoint "http://127.0.0.1:$api_port" --lambda-port "$lambda_port" "$@" ||
  status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "flowstate serve died during the run; its log:"
  cat "$log"
  exit 1
fi
exit "$status"
