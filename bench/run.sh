#!/usr/bin/env bash
# Compares /api/v1/enforce (scan, policy, durable event + ledger leaf) with a bare
# Hummingbird route that only decodes and encodes the same JSON, in one run.
# Usage: bench/run.sh [duration_seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-16}"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install -y wrk)" >&2; exit 1; }
swift build -c release --product astral >/dev/null
BIN="$(swift build -c release --show-bin-path)/astral"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

start() {  # start <log> <args...>: waits for the "listening on" line, bounded
  local log="$1"; shift
  "$BIN" serve "$@" --log-level error >"$log" 2>&1 &
  for _ in $(seq 1 300); do
    grep -q "listening on" "$log" && return 0
    kill -0 $! 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "server did not start" >&2; return 1
}

start "$WORK/bare.log" --port 18081 --bare-bench
echo "bare route:"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/enforce.lua http://127.0.0.1:18081 | tail -1
kill %1; wait %1 2>/dev/null || true

start "$WORK/serve.log" --port 18080 --data-dir "$WORK/data" --rate-limit 1000000 --rate-burst 1000000
KEY="$(sed -n 's/^admin key (shown once): //p' "$WORK/serve.log")"
echo "astral /api/v1/enforce:"
ASTRAL_KEY="$KEY" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/enforce.lua http://127.0.0.1:18080 | tail -1
