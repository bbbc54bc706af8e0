#!/usr/bin/env bash
# Installs what Astral's build and tests need on a fresh Debian 12 machine.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "a Swift toolchain (6.1 or newer) is required on PATH" >&2; exit 1; }

# Debian packages: SQLite headers for GRDB, python venv for the SDK tests,
# PostgreSQL's server for the throwaway test cluster (scripts/pg-test-cluster.sh).
wanted=(libsqlite3-dev python3-venv postgresql)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  # Some images cannot run gpgv as apt's sandbox user; retry as root then.
  $sudo_cmd apt-get update -qq || $sudo_cmd apt-get update -qq -o APT::Sandbox::User=root
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
