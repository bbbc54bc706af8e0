#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: installs what the tests
# need, builds, runs every Swift suite against ../shared (or $ASTRAL_SHARED_DIR),
# then the SDK integration tests (official openai/anthropic Python SDKs).
set -euo pipefail
cd "$(dirname "$0")/.."

export ASTRAL_SHARED_DIR="${ASTRAL_SHARED_DIR:-$(cd .. && pwd)/shared}"
if [ ! -d "$ASTRAL_SHARED_DIR" ]; then
  echo "shared test data not found at $ASTRAL_SHARED_DIR (set ASTRAL_SHARED_DIR)" >&2
  exit 1
fi

scripts/setup.sh
swift build --build-tests
# Keep the run's output: when the test process dies on a signal, the crashed
# thread's backtrace is otherwise buried above every other thread's.
log="$(mktemp -t astral-test.XXXXXX)"
trap 'rm -f "$log"' EXIT
# The PostgreSQL storage tests run against a throwaway cluster that the
# wrapper starts, exports as ASTRAL_TEST_POSTGRES_URL / _APP_URL, and removes.
if ! scripts/pg-test-cluster.sh swift test --skip-build 2>&1 | tee "$log"; then
  echo "---- swift test failed; fatal messages and the crashed thread:" >&2
  grep -E "Fatal error|Could not cast|Simultaneous accesses|CONTINUATION MISUSE|Program crashed|✘" "$log" | head -40 >&2 || true
  awk '/ crashed:$/ {show=1} show {print; if (++n > 60) exit}' "$log" >&2 || true
  exit 1
fi
ASTRAL_BIN="$PWD/.build/debug/astral" tests/sdk/run.sh
