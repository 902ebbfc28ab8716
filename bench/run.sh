#!/usr/bin/env bash
# The benchmark in one command: builds the servers and the loader, runs the
# workloads, writes BENCHMARKS.md, bench/results/latest.json and ratios.svg.
#   bash bench/run.sh [all|tcp|http|ws20|ws16k|idle ...] [--quick] [--rounds N] [--secs S]
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -q -p silly-bench -- "${@:-all}"
