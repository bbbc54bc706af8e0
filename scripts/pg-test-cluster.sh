#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster, then removes the cluster.
#
#   scripts/pg-test-cluster.sh COMMAND [ARG...]
#
# The cluster lives in a fresh temporary directory, listens on a free port of
# 127.0.0.1 only, and is stopped and deleted when COMMAND exits (whatever its
# status, which the script returns). It holds one database, `astral_test`, and
# two login roles with random passwords:
#
#   astral_owner  owns the database and the schema; runs the migrations (CREATEDB:
#                 tests make scratch databases)
#   astral_app    the application role: no BYPASSRLS, not a superuser, owns
#                 nothing; sees rows only through row-level security
#
# COMMAND sees:
#   ASTRAL_TEST_POSTGRES_URL      postgres://astral_owner:…@127.0.0.1:PORT/astral_test
#   ASTRAL_TEST_POSTGRES_APP_URL  postgres://astral_app:…@127.0.0.1:PORT/astral_test
#
# PostgreSQL's server binaries must be installed (scripts/setup.sh installs
# Debian's `postgresql`). The server never runs as root: when this script runs
# as root it starts the server as the `postgres` user.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/pg-test-cluster.sh COMMAND [ARG...]" >&2
  exit 2
fi

bindir=""
if [ -n "${ASTRAL_PG_BINDIR:-}" ]; then
  bindir="$ASTRAL_PG_BINDIR"
else
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then bindir="$dir"; break; fi
  done
  if [ -z "$bindir" ] && command -v initdb >/dev/null; then bindir="$(dirname "$(command -v initdb)")"; fi
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/setup.sh or set ASTRAL_PG_BINDIR" >&2
  exit 1
fi

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "running as root needs the 'postgres' user to start the server (Debian's postgresql package creates it)" >&2
    exit 1
  fi
  as_server=(runuser -u postgres --)
fi

base="$(mktemp -d -t astral-pg.XXXXXX)"
chmod 0755 "$base"
[ ${#as_server[@]} -gt 0 ] && chown postgres "$base"
data="$base/data"
started=0
cleanup() {
  if [ "$started" -eq 1 ]; then
    "${as_server[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
owner_password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
app_password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

"${as_server[@]}" "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 1; }
"${as_server[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$base -c fsync=on" start >/dev/null \
  || { cat "$base/server.log" >&2; exit 1; }
started=1

psql_super() {
  "${as_server[@]}" "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$base" -p "$port" -U postgres "$@"
}
psql_super -d postgres <<SQL
CREATE ROLE astral_owner LOGIN PASSWORD '$owner_password' NOSUPERUSER NOCREATEROLE CREATEDB NOBYPASSRLS;
CREATE ROLE astral_app LOGIN PASSWORD '$app_password' NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS;
CREATE DATABASE astral_test OWNER astral_owner;
SQL
psql_super -d astral_test <<SQL
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO astral_owner;
GRANT USAGE ON SCHEMA public TO astral_app;
SQL

export ASTRAL_TEST_POSTGRES_URL="postgres://astral_owner:$owner_password@127.0.0.1:$port/astral_test"
export ASTRAL_TEST_POSTGRES_APP_URL="postgres://astral_app:$app_password@127.0.0.1:$port/astral_test"
echo "throwaway PostgreSQL cluster on 127.0.0.1:$port ($("$bindir/postgres" --version))" >&2

status=0
"$@" || status=$?
exit "$status"
