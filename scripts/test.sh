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
swift test --skip-build
ASTRAL_BIN="$PWD/.build/debug/astral" tests/sdk/run.sh
