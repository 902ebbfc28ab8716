#!/usr/bin/env bash
# HTTP "Hello, World!" under wrk: silly-rs (examples/http_hello) vs hyper on Tokio
# current_thread (bench/src/bin/hyper_hello), each server pinned to core 0 and wrk
# to core 1, alternating rounds so drift hits both alike.
#
#   bash bench/wrk_http.sh [ROUNDS] [SECONDS]
#
# Prints requests/s per round and the median ratio silly/hyper.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-10}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cargo build --release -q --example http_hello
cargo build --release -q -p silly-bench --bin hyper_hello
target=${CARGO_TARGET_DIR:-target}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_one() { # name binary -> "requests/s server-cpu-us-per-request"
  local out port pid
  out=$(mktemp)
  taskset -c 0 "$2" 127.0.0.1:0 >"$out" &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$out")
  local rps t0 t1 report
  t0=$(cpu_ticks "$pid")
  report=$(taskset -c 1 wrk -t1 -c100 -d"${secs}s" "http://127.0.0.1:${port}/")
  t1=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$report")
  total=$(awk '/requests in/ {print $1}' <<<"$report")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$out"
  # clock ticks are 10 ms: CPU microseconds per request
  echo "$rps $(awk -v t=$((t1 - t0)) -v n="$total" 'BEGIN {printf "%.2f", t * 10000 / n}')"
}

silly=(); hyper=(); silly_cpu=(); hyper_cpu=()
for r in $(seq "$rounds"); do
  read -r s sc <<<"$(run_one silly "$target/release/examples/http_hello")"
  read -r h hc <<<"$(run_one hyper "$target/release/hyper_hello")"
  echo "round $r: silly-rs $s req/s ($sc us CPU/req), hyper $h req/s ($hc us CPU/req)"
  silly+=("$s"); hyper+=("$h"); silly_cpu+=("$sc"); hyper_cpu+=("$hc")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms=$(median "${silly[@]}"); mh=$(median "${hyper[@]}")
mcs=$(median "${silly_cpu[@]}"); mch=$(median "${hyper_cpu[@]}")
echo "median: silly-rs $ms req/s, hyper $mh req/s, ratio silly/hyper $(awk -v a="$ms" -v b="$mh" 'BEGIN {printf "%.2f", a/b}')"
echo "median server CPU per request: silly-rs $mcs us, hyper $mch us, ratio silly/hyper $(awk -v a="$mcs" -v b="$mch" 'BEGIN {printf "%.2f", a/b}')"
