#!/usr/bin/env bash
# User-space instructions per message of one server binary, by slope: two
# callgrind runs (2 s and 6 s of load, no warm-up, every reply counted), the
# difference in instructions over the difference in messages, so start-up,
# connection set-up and warm-up cancel. Compare builds only within one run of
# this script on one machine: per-message counts rise when the machine is busy
# (the loader sends less per loop turn, so per-turn work is shared by fewer
# messages).
#
#   bash bench/callgrind_slope.sh WORKLOAD SIZE BINARY [SERVER ARGS...]
#   bash bench/callgrind_slope.sh http 0 target/release/silly_http
#   bash bench/callgrind_slope.sh tcp 100 /tmp/silly_echo.base
#
# Build first (`cargo build --release -p silly-bench --bins`); the loader is
# $CARGO_TARGET_DIR/release/loader.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n 9,11p "$0"; exit 2; }
workload=$1 size=$2 binary=$3
shift 3
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
target=${CARGO_TARGET_DIR:-target}
loader=$target/release/loader

# Prints "instructions messages" for one run of SECS seconds.
one_run() {
  local secs=$1 out log pid addr report total messages
  out=$(mktemp) log=$(mktemp)
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pid=$!
  addr=
  for _ in $(seq 300); do
    addr=$(sed -n 's/^listening on //p' "$log" | head -1)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "$binary did not start: see $log" >&2; kill $pid; exit 1; }
  report=$(taskset -c 1 "$loader" --addr "$addr" --workload "$workload" --size "$size" \
    --connections 100 --warmup 0 --secs "$secs")
  kill -TERM $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  messages=$(tr ',' '\n' <<<"$report" | sed -n 's/.*"messages":\([0-9]*\).*/\1/p')
  rm -f "$out" "$log"
  echo "$total $messages"
}

read -r t1 m1 < <(one_run 2 "$@")
read -r t2 m2 < <(one_run 6 "$@")
echo "$binary: $(( (t2 - t1) / (m2 - m1) )) instructions per message ($t1 / $m1 in 2 s, $t2 / $m2 in 6 s)"
