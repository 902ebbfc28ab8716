#!/usr/bin/env bash
# Redis round trips per second: silly-redis (bench/src/bin/redis_silly.rs)
# beside redis-benchmark (the C client, the ceiling) and the `redis` crate on
# Tokio current_thread (bench/src/bin/redis_tokio.rs), against one
# redis-server, 100 clients alternating SET and GET of 3 bytes, without and
# with pipelining. The server runs on core 0, the clients on core 1; the
# clients alternate within each round.
#
#   bash bench/redis.sh [ROUNDS] [SECS] [PIPELINE]     # defaults 3, 5, 16
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
pipeline=${3:-16}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p silly-bench --bin redis_silly --bin redis_tokio
bin="$CARGO_TARGET_DIR/release"

source bench/redis-server.sh
start_redis 0
trap 'kill $redis_pid 2>/dev/null || true' EXIT
port=$redis_port url=$redis_url

# redis-benchmark gives SET and GET rates apart; alternating them costs the
# harmonic mean of the two.
c_client() {
  local p=$1 n
  n=$(( p == 1 ? 200000 : 2000000 ))
  taskset -c 1 redis-benchmark -p "$port" -c 100 -n "$n" -P "$p" -t set,get -d 3 --csv \
    | awk -F'"' '/^"SET"/{s=$4} /^"GET"/{g=$4} END{printf "%.0f\n", 2/(1/s+1/g)}'
}
rust_client() {
  taskset -c 1 "$bin/$1" "$url" --clients 100 --pipeline "$2" --secs "$secs" \
    | sed -n 's/.*ops_per_sec=\([0-9]*\).*/\1/p'
}

for p in 1 "$pipeline"; do
  for r in $(seq "$rounds"); do
    c=$(c_client "$p"); s=$(rust_client redis_silly "$p"); t=$(rust_client redis_tokio "$p")
    echo "pipeline=$p round=$r redis-benchmark=$c silly-redis=$s redis-rs-tokio=$t" \
      "silly/C=$(python3 -c "print(f'{$s/$c:.2f}')")" "silly/tokio=$(python3 -c "print(f'{$s/$t:.2f}')")"
  done
done
