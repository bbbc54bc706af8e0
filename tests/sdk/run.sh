#!/usr/bin/env bash
# SDK integration tests: the official openai and anthropic Python SDKs against a
# running `astral serve`, with a fake local upstream behind it.
#   tests/sdk/run.sh [pytest args...]
# Env: ASTRAL_BIN (default: build and use .build/debug/astral), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/pip" install -q -r "$here/requirements.txt"

if [ -z "${ASTRAL_BIN:-}" ]; then
  (cd "$root" && swift build --product astral >&2)
  ASTRAL_BIN="$root/.build/debug/astral"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url, what
  for _ in $(seq 1 300); do
    if "$python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "$2 did not come up at $1" >&2
  return 1
}

upstream_port="$(free_port)"
"$venv/bin/python" "$here/fake_upstream.py" "$upstream_port" > "$work/upstream.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$upstream_port/_fake/requests" "fake upstream"

start_astral() { # name, upstream-url -> sets port_<name>, key_<name>
  local name="$1" upstream_url="$2" port
  port="$(free_port)"
  mkdir -p "$work/$name"
  ASTRAL_UPSTREAM_OPENAI="$upstream_url" ASTRAL_UPSTREAM_ANTHROPIC="$upstream_url" \
  ASTRAL_OPENAI_API_KEY="sk-upstream-test-credential" ASTRAL_ANTHROPIC_API_KEY="sk-ant-upstream-test-credential" \
  ASTRAL_UPSTREAM_CONNECT_TIMEOUT=2 ASTRAL_UPSTREAM_READ_TIMEOUT=20 ASTRAL_BUDGET_MS="${ASTRAL_BUDGET_MS:-30000}" \
    "$ASTRAL_BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$work/$name/data" > "$work/$name/serve.log" 2>&1 &
  pids+=($!)
  if ! wait_http "http://127.0.0.1:$port/healthz" "astral ($name)"; then
    cat "$work/$name/serve.log" >&2
    return 1
  fi
  local key
  key="$(grep -oE 'ak_[A-Za-z0-9_-]+' "$work/$name/serve.log" | head -n 1 || true)"
  if [ -z "$key" ]; then
    key="$("$ASTRAL_BIN" keys create --tenant default --role agent --name sdk-tests --data-dir "$work/$name/data" \
      | grep -oE 'ak_[A-Za-z0-9_-]+' | head -n 1)"
  fi
  eval "port_$name=$port key_$name=$key"
}

start_astral main "http://127.0.0.1:$upstream_port"
# An Astral whose upstream is a port that nothing listens on.
dead_port="$(free_port)"
start_astral down "http://127.0.0.1:$dead_port"

export ASTRAL_URL="http://127.0.0.1:$port_main"
export ASTRAL_KEY="$key_main"
export ASTRAL_DOWN_URL="http://127.0.0.1:$port_down"
export ASTRAL_DOWN_KEY="$key_down"
export FAKE_UPSTREAM_URL="http://127.0.0.1:$upstream_port"

cd "$here"
set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "--- astral log (main) ---" >&2; tail -n 50 "$work/main/serve.log" >&2
fi
exit $status
