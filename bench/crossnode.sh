#!/usr/bin/env bash
# Cross-node broadcast through Redis (issue 17): two `silly_broadcast` nodes
# started with --redis on one redis-server; SUBS subscribers on node B, the
# publisher on node A (each message: A's hub, PUBLISH, Redis, B's subscriber
# connection, B's hub). Beside it, the same load on one node (publisher and
# subscribers on A) with the same backplane attached: the difference is what
# Redis adds. Latency is publish to last receipt (the fan-out loader,
# bench/src/fanout.rs, every message checked in order at every receiver).
# Redis on core 0, the nodes on core 0 and 1, the loader on core 1.
#
#   bash bench/crossnode.sh [ROUNDS] [SECS] [SUBS] [IN_FLIGHT]   # defaults 3, 5, 100, 1
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
subs=${3:-100}
in_flight=${4:-1}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p silly-bench --bin silly_broadcast --bin loader
bin="$CARGO_TARGET_DIR/release"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

source bench/redis-server.sh
start_redis 0
pids+=("$redis_pid")
url=$redis_url

start_node() { # CORE -> prints ADDR PID
  local out
  out=$(mktemp)
  RUST_LOG=warn taskset -c "$1" "$bin/silly_broadcast" 127.0.0.1:0 --redis "$url" >"$out" &
  local pid=$!
  for _ in $(seq 200); do grep -q '^listening on ' "$out" && break; sleep 0.05; done
  echo "$(sed -n 's/^listening on //p' "$out") $pid"
}
read -r node_a pid_a < <(start_node 0)
pids+=("$pid_a")
read -r node_b pid_b < <(start_node 1)
pids+=("$pid_b")

load() { # NAME ARGS...
  local name=$1
  shift
  taskset -c 1 "$bin/loader" --workload fanout --size 64 --connections "$subs" \
    --in-flight "$in_flight" --warmup 1 --secs "$secs" "$@" |
    NAME=$name python3 -c '
import json, os, sys
r = json.loads(sys.stdin.read())
print("%s deliveries_per_sec=%.0f p50_us=%.0f p99_us=%.0f errors=%d" % (
    os.environ["NAME"], r["messages"] / r["seconds"], r["p50_us"], r["p99_us"], r["errors"]))'
}
for r in $(seq "$rounds"); do
  echo "round $r"
  load same-node --addr "$node_a"
  load cross-node --addr "$node_b" --publisher-addr "$node_a"
done
