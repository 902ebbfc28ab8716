#!/usr/bin/env python3
"""Why some TCP echo rounds are slow: many short rounds, each with the counters
that could explain it.

    python3 bench/echo_rounds.py [ROUNDS] [SECS]     (default 16 rounds of 3 s)

Runs silly_echo, tokio_echo (current_thread) and floor in turn, each pinned to
core 0 with the loader on core 1 (as `silly-bench all` does), and records per
round: server CPU µs per message, and, over the same window, the server's page
faults, voluntary and involuntary context switches and CPU migrations
(`perf stat` software events; this VM exposes no hardware counters, so no
dTLB misses), and core 0's steal time and the CPU time other processes took on
core 0 (from /proc/stat). Build first: `cargo build --release -p silly-bench`.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 16
SECS = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
BIN = os.path.join(TARGET, "release")
SERVERS = [("silly-rs", ["silly_echo"]), ("tokio current_thread", ["tokio_echo"]), ("floor", ["floor", "tcp"])]
TICK = os.sysconf("SC_CLK_TCK")


def cpu0():
    """Core 0's (busy, steal) jiffies from /proc/stat."""
    for line in open("/proc/stat"):
        if line.startswith("cpu0 "):
            f = [int(x) for x in line.split()[1:]]
            user, nice, system, idle, iowait, irq, softirq, steal = f[:8]
            return user + nice + system + irq + softirq, steal
    raise RuntimeError("no cpu0 in /proc/stat")


def proc_cpu(pid):
    """utime + stime of a process, in jiffies."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def switches(pid):
    text = open(f"/proc/{pid}/status").read()
    vol = sum(int(m) for m in re.findall(r"^voluntary_ctxt_switches:\s+(\d+)", text, re.M))
    invol = sum(int(m) for m in re.findall(r"^nonvoluntary_ctxt_switches:\s+(\d+)", text, re.M))
    return vol, invol


def one_round(name, argv):
    log = open(f"/tmp/echo_rounds.{argv[0]}.log", "w+")
    server = subprocess.Popen(["taskset", "-c", "0", os.path.join(BIN, argv[0]), "127.0.0.1:0", *argv[1:]], stdout=log, stderr=subprocess.STDOUT)
    addr = None
    for _ in range(100):
        time.sleep(0.05)
        log.seek(0)
        m = re.search(r"listening on (\S+)", log.read())
        if m:
            addr = m.group(1)
            break
    if addr is None:
        server.kill()
        raise RuntimeError(f"{name} did not start")
    loader = subprocess.Popen(
        ["taskset", "-c", "1", os.path.join(BIN, "loader"), "--addr", addr, "--workload", "tcp",
         "--size", "100", "--connections", "100", "--warmup", "0.5", "--secs", str(SECS)],
        stdout=subprocess.PIPE, text=True)
    time.sleep(0.6)  # the loader's warm-up
    perf = subprocess.Popen(
        ["perf", "stat", "-x,", "-e", "task-clock,page-faults,context-switches,cpu-migrations",
         "-p", str(server.pid), "--", "sleep", str(SECS - 0.2)],
        stderr=subprocess.PIPE, text=True)
    busy0, steal0 = cpu0()
    srv0 = proc_cpu(server.pid)
    sw0 = switches(server.pid)
    _, perf_out = perf.communicate()
    busy1, steal1 = cpu0()
    srv1 = proc_cpu(server.pid)
    sw1 = switches(server.pid)
    report = json.loads(loader.communicate()[0].strip().splitlines()[-1])
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()
    counters = {}
    for line in perf_out.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[0].replace(".", "").isdigit():
            counters[parts[2]] = float(parts[0])
    window = SECS - 0.2
    messages = report["messages"] * window / SECS  # the loader counts over SECS
    return {
        "server": name,
        "us_per_msg": counters.get("task-clock", 0) * 1e3 / messages,  # task-clock is in ms
        "msg_s": report["messages"] / SECS,
        "page_faults": counters.get("page-faults", 0),
        "ctx_vol": sw1[0] - sw0[0],
        "ctx_invol": sw1[1] - sw0[1],
        "migrations": counters.get("cpu-migrations", 0),
        "steal0_ms": (steal1 - steal0) * 1000 / TICK,
        "others0_ms": max(0, (busy1 - busy0) - (srv1 - srv0)) * 1000 / TICK,
    }


def main():
    rows = []
    for r in range(ROUNDS):
        for name, argv in SERVERS:
            row = one_round(name, argv)
            row["round"] = r + 1
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| server | round | CPU µs/msg | involuntary switches | voluntary switches | page faults | migrations | core 0 steal ms | others on core 0 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['server']} | {row['round']} | {row['us_per_msg']:.2f} | {row['ctx_invol']} | {row['ctx_vol']} | "
              f"{row['page_faults']:.0f} | {row['migrations']:.0f} | {row['steal0_ms']:.0f} | {row['others0_ms']:.0f} |")
    print()
    for name, _ in SERVERS:
        mine = [r for r in rows if r["server"] == name]
        costs = sorted(r["us_per_msg"] for r in mine)
        median = statistics.median(costs)
        slow = [r for r in mine if r["us_per_msg"] > median * 1.15]
        fast = [r for r in mine if r["us_per_msg"] <= median * 1.15]

        def mean(rs, key):
            return statistics.mean(r[key] for r in rs) if rs else float("nan")

        print(f"{name}: median {median:.2f} µs/msg; {len(slow)} of {len(mine)} rounds slow (>15% over); "
              f"slow vs other rounds: involuntary switches {mean(slow, 'ctx_invol'):.0f} vs {mean(fast, 'ctx_invol'):.0f}, "
              f"page faults {mean(slow, 'page_faults'):.0f} vs {mean(fast, 'page_faults'):.0f}, "
              f"core 0 steal {mean(slow, 'steal0_ms'):.0f} vs {mean(fast, 'steal0_ms'):.0f} ms, "
              f"others on core 0 {mean(slow, 'others0_ms'):.0f} vs {mean(fast, 'others0_ms'):.0f} ms")


main()
