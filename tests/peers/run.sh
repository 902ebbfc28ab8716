#!/usr/bin/env bash
# Peer tests: silly-rs against other stacks, each a real process talking over
# 127.0.0.1 -- curl, Python `websockets` (client and server), Node `ws` (client
# and server), and headless Chromium (the chat page, and permessage-deflate
# against websocket_echo, via playwright-core).
#
#   bash tests/peers/run.sh
#
# Needs: curl, python3 with websockets >= 14, node + npm, /usr/bin/chromium
# (.ci/run installs them all; this script runs `npm ci` here if needed). Servers
# start on port 0 and print `listening on ADDR`; every wait is bounded; every
# process started here is ended on exit. Exits non-zero if any test failed.
# The browser test rewrites docs/chat.png (the README's screenshot).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
peers=$root/tests/peers
bin=${CARGO_TARGET_DIR:-target}/release/examples
case $bin in /*) ;; *) bin=$root/$bin ;; esac

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

missing() { echo "peers: missing $1 (bash .ci/run installs it)" >&2; exit 1; }
command -v curl >/dev/null || missing curl
command -v node >/dev/null || missing node
command -v npm >/dev/null || missing npm
[ -x /usr/bin/chromium ] || missing "chromium (apt-get install chromium)"
python3 -c 'import websockets, sys; sys.exit(int(websockets.version.version.split(".")[0]) < 14)' 2>/dev/null ||
  missing "Python websockets >= 14 (python3 -m pip install 'websockets>=14')"
if ! (cd "$peers" && node -e 'require.resolve("ws"); require.resolve("playwright-core")') 2>/dev/null; then
  (cd "$peers" && timeout 300 npm ci --no-audit --no-fund)
fi

echo "== peers: cargo build --release --examples"
cargo build --release --examples

# start NAME CMD...: runs a server in the background, waits (up to 10 s) for
# its `listening on ADDR` line, and sets $addr, $port and $pid.
start() {
  local name=$1 log=$work/$1.log
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  addr=
  for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on //p' "$log" | head -1)
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "peers: $name did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  port=${addr##*:}
}

# alive NAME PID...: fails if one of the servers died during a test.
alive() {
  local name=$1 p
  shift
  for p in "$@"; do
    if ! kill -0 "$p" 2>/dev/null; then
      echo "peers: a server of '$name' exited during the test" >&2
      return 1
    fi
  done
}

# stop PID...: ends servers started by `start`.
stop() {
  local p
  for p in "$@"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}

passed=0
failed=0
failures=()
# result NAME STATUS
result() {
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$1")
    echo "peers: FAILED: $1" >&2
  fi
}

# run NAME SECONDS CMD...: a peer script with a time limit.
run() {
  local name=$1 seconds=$2 status=0
  shift 2
  timeout -k 5 "$seconds" "$@" || status=$?
  [ "$status" -eq 124 ] && echo "peers: '$name' timed out after $seconds s" >&2
  return "$status"
}

test_curl() {
  start http_hello "$bin/http_hello" 127.0.0.1:0 && local hello=$addr h=$pid &&
    start https "$bin/https" 127.0.0.1:0 && local https=$addr s=$pid &&
    start chat "$bin/chat" 127.0.0.1:0 && local chat=$addr c=$pid &&
    run curl 60 bash "$peers/curl_examples.sh" "$hello" "$https" "$chat" &&
    alive curl "$h" "$s" "$c"
}

# Python/Node clients against websocket_echo and ws_check_server (64 KiB limit).
test_client() { # NAME CMD...
  local name=$1 echo check
  shift
  start websocket_echo "$bin/websocket_echo" 127.0.0.1:0 && echo=$pid &&
    local echo_url="ws://$addr" &&
    start ws_check_server "$bin/ws_check_server" 127.0.0.1:0 65536 && check=$pid &&
    run "$name" 120 "$@" "$echo_url" "ws://$addr" 65536 &&
    alive "$name" "$echo" "$check"
}

# Our client (examples/ws_check.rs) against a Python/Node echo server.
test_server() { # NAME CMD...
  local name=$1
  shift
  start "$name" "$@" 127.0.0.1:0 &&
    run "$name" 90 "$bin/ws_check" "ws://$addr"
}

test_chat_clients() {
  # The slow-client case floods on purpose, past the chat's default rate.
  start chat "$bin/chat" 127.0.0.1:0 --max-messages-per-second off &&
    run "chat clients" 180 python3 "$peers/chat_clients.py" "ws://$addr" &&
    alive "chat clients" "$pid"
}

test_browser() {
  mkdir -p "$root/docs"
  start chat "$bin/chat" 127.0.0.1:0 &&
    run browser 120 node "$peers/browser_chat.mjs" "http://$addr" "$root/docs/chat.png" &&
    alive browser "$pid"
}

# Chromium against websocket_echo with shared compression contexts.
test_browser_deflate() {
  start websocket_echo "$bin/websocket_echo" 127.0.0.1:0 shared &&
    run "browser deflate" 120 node "$peers/browser_deflate.mjs" "ws://$addr" &&
    alive "browser deflate" "$pid"
}

started=$SECONDS
t() { # NAME FUNCTION ARGS...: runs one test, then ends its servers
  local name=$1 status=0 from=$SECONDS
  shift
  echo "== peers: $name"
  local before=${#pids[@]}
  "$@" || status=$?
  stop "${pids[@]:before}"
  echo "   ($((SECONDS - from)) s)"
  result "$name" "$status"
}

t "curl vs http_hello, https, chat" test_curl
t "python websockets client vs our servers" test_client "python client" python3 "$peers/py_client.py"
t "our client vs python websockets server" test_server "python server" python3 "$peers/py_server.py"
t "node ws client vs our servers" test_client "node client" node "$peers/node_client.mjs"
t "our client vs node ws server" test_server "node server" node "$peers/node_server.mjs"
t "python websockets clients vs chat" test_chat_clients
t "chromium vs chat (playwright-core)" test_browser
t "chromium permessage-deflate vs websocket_echo" test_browser_deflate

echo "== peers: $((SECONDS - started)) s"
echo "peers: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
  printf 'peers: failed: %s\n' "${failures[@]}" >&2
  exit 1
fi
