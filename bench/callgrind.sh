#!/usr/bin/env bash
# User-space instructions per message of one server, counted by callgrind while
# the loader drives it: exact and repeatable where CPU time drifts, so it tells
# whether a change to the request or message path made it cheaper. (Kernel work,
# the syscalls themselves, is not counted: compare syscalls with strace -c.)
#
#   bash bench/callgrind.sh WORKLOAD SIZE CONNECTIONS SERVER [SERVER ARGS...]
#   bash bench/callgrind.sh http 0 100 silly_http
#   bash bench/callgrind.sh ws 16384 200 fastws_echo
#   bash bench/callgrind.sh tcp 100 100 floor tcp
#
# Prints the messages answered, the instructions counted and their ratio (the
# start-up and the connection set-up are in the total too: a few per cent).
# The profile is left in $target/callgrind.SERVER.out for callgrind_annotate.
# SECS (default 4) and WARMUP (0.5) set the loader's run; BINARY runs another
# build of SERVER (bench/callgrind_slope.sh uses these).
# Under valgrind `rep movsb` counts once per byte: copies weigh more here than
# on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { sed -n 6,9p "$0"; exit 2; }
workload=$1 size=$2 connections=$3 server=$4
shift 4
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
cargo build --release -q -p silly-bench --bins
target=${CARGO_TARGET_DIR:-target}
out=$target/callgrind.$server.out
log=$target/callgrind.$server.log
rm -f "$out"
taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$out" \
  "${BINARY:-$target/release/$server}" 127.0.0.1:0 "$@" >"$log" 2>&1 &
valgrind_pid=$!
trap 'kill $valgrind_pid 2>/dev/null || true' EXIT
addr=
for _ in $(seq 300); do
  addr=$(sed -n 's/^listening on //p' "$log" | head -1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "$server did not start: see $log"; exit 1; }
report=$(taskset -c 1 "$target/release/loader" --addr "$addr" --workload "$workload" \
  --size "$size" --connections "$connections" --warmup "${WARMUP:-0.5}" --secs "${SECS:-4}")
kill -TERM $valgrind_pid 2>/dev/null || true
wait $valgrind_pid 2>/dev/null || true
messages=$(tr ',' '\n' <<<"$report" | sed -n 's/.*"messages":\([0-9]*\).*/\1/p')
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$server: $messages messages, $total instructions, $((total / messages)) per message"
