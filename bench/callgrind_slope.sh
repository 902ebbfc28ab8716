#!/usr/bin/env bash
# User-space instructions per message of one server binary, by slope: two
# bench/callgrind.sh runs (2 s and 6 s of load, no warm-up, every reply
# counted), the difference in instructions over the difference in messages, so
# start-up, connection set-up and warm-up cancel. Compare builds only within
# one run of this script on one machine: per-message counts rise when the
# machine is busy (the loader sends less per loop turn, so per-turn work is
# shared by fewer messages).
#
#   bash bench/callgrind_slope.sh WORKLOAD SIZE BINARY [SERVER ARGS...]
#   bash bench/callgrind_slope.sh http 0 target/release/silly_http
#   bash bench/callgrind_slope.sh tcp 100 /tmp/silly_echo.base
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n 10,12p "$0"; exit 2; }
workload=$1 size=$2 binary=$3
shift 3

# "instructions messages" of one run of SECS seconds.
one_run() {
  BINARY=$binary SECS=$1 WARMUP=0 bash bench/callgrind.sh "$workload" "$size" 100 \
    "$(basename "$binary")" "${@:2}" |
    sed -n 's/.*: \([0-9]*\) messages, \([0-9]*\) instructions.*/\2 \1/p'
}

read -r t1 m1 < <(one_run 2 "$@")
read -r t2 m2 < <(one_run 6 "$@")
echo "$binary: $(( (t2 - t1) / (m2 - m1) )) instructions per message ($t1 / $m1 in 2 s, $t2 / $m2 in 6 s)"
