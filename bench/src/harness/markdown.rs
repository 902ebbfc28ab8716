//! The report in Markdown (`BENCHMARKS.md`): how the run was made, one
//! table per workload, and the hand-written notes.

use std::time::Duration;

use crate::harness::launch::Placement;
use crate::harness::machine::crate_versions;
use crate::harness::results::Results;
use crate::harness::stats::paired_ratio;

/// Hand-written notes appended to the generated report (what changed and why).
const NOTES: &str = include_str!("../../NOTES.md");

/// The report of `results`; `published` (a pinned `all` run) adds the chart
/// and the notes.
pub(crate) fn markdown(
    results: &Results,
    elapsed: Duration,
    placement: Placement,
    published: bool,
) -> String {
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str("silly-rs against Tokio, hyper, tokio-tungstenite, fastwebsockets and may, and a bare mio\n");
    md.push_str("*floor* server (one `read` and one `write` per message, no runtime), measured in one run on\n");
    md.push_str("one machine. **Headline: server CPU microseconds per message** (user + system time of the server\n");
    md.push_str("process over the measured window, divided by the messages answered): on loopback the loader\n");
    md.push_str("pays the kernel's receive work inside its own `send`, so throughput saturates near the same\n");
    md.push_str("rate for every good server and cannot rank them. Lower is better.\n\n");
    md.push_str(&format!("- Machine: {}\n", results.machine));
    let versions: Vec<String> = crate_versions()
        .iter()
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    md.push_str(&format!("- Crates: {}\n", versions.join(", ")));
    let (command, rounds, secs) = (&results.command, results.rounds, results.secs);
    md.push_str(&format!("- Command: `{command}` ({rounds} rounds of {secs} s per server, alternating; {:.0} s in all)\n", elapsed.as_secs_f64()));
    md.push_str(match placement {
        Placement::Pinned => "- Each server pinned to core 0 (`taskset -c 0`), the loader (`bench/src/loader.rs`, one thread on mio) to core 1.\n",
        Placement::Unpinned => "- Unpinned: servers and the loader (`bench/src/loader.rs`, one thread on mio) free on every core; the loader competes with the server for CPU.\n",
    });
    md.push_str("- Figures: median (min-max) over the rounds. *silly-rs / this*: silly-rs's CPU per message divided by this server's in the same round, median over the rounds (the two ran seconds apart, so the machine's slow drift cancels). *Loader CPU* is the loader's share of its core: near 100% means the loader, not the server, was the limit.\n\n");
    for w in &results.workloads {
        let summaries = &w.servers;
        md.push_str(&format!("## {}\n\n", w.title));
        if w.idle {
            md.push_str("| server | RSS per idle connection | peak RSS |\n|---|---|---|\n");
            for s in summaries {
                let (m, lo, hi) = s.stat(|r| r.idle_bytes_per_conn);
                let (hwm, _, _) = s.stat(|r| r.server_hwm_kib);
                md.push_str(&format!(
                    "| {} | {:.1} KB ({:.1}-{:.1}) | {:.1} MiB |\n",
                    s.name,
                    m / 1000.0,
                    lo / 1000.0,
                    hi / 1000.0,
                    hwm / 1024.0
                ));
            }
            md.push('\n');
            continue;
        }
        let silly_cpu: Vec<f64> = summaries
            .iter()
            .find(|s| s.name == "silly-rs")
            .map(|s| s.runs.iter().map(|r| r.server_us_per_msg).collect())
            .unwrap_or_default();
        md.push_str("| server | CPU µs/msg | silly-rs / this | msg/s | p50 µs | p99 µs | peak RSS | loader CPU | errors |\n");
        md.push_str("|---|---|---|---|---|---|---|---|---|\n");
        for s in summaries {
            let (cpu, lo, hi) = s.stat(|r| r.server_us_per_msg);
            let (rate, _, _) = s.stat(|r| r.rate);
            let (p50, _, _) = s.stat(|r| r.p50_us);
            let (p99, _, _) = s.stat(|r| r.p99_us);
            let (hwm, _, _) = s.stat(|r| r.server_hwm_kib);
            let (loader, _, _) = s.stat(|r| r.loader_cpu_share);
            let errors: f64 = s.runs.iter().map(|r| r.errors).sum();
            let dropped: f64 = s.runs.iter().map(|r| r.dropped).sum();
            if dropped > 0.0 {
                md.push_str(&format!(
                    "| {} | no figure: {dropped} clients dropped with 1008 | | | | | | | {errors} |\n",
                    s.name
                ));
                continue;
            }
            let peer_cpu: Vec<f64> = s.runs.iter().map(|r| r.server_us_per_msg).collect();
            let ratio = match paired_ratio(&silly_cpu, &peer_cpu) {
                Some(r) => format!("{r:.2}"),
                None => "-".into(),
            };
            md.push_str(&format!(
                "| {} | {:.2} ({:.2}-{:.2}) | {} | {:.0} | {:.0} | {:.0} | {:.1} MiB | {:.0}% | {} |\n",
                s.name, cpu, lo, hi, ratio, rate, p50, p99, hwm / 1024.0, loader * 100.0, errors
            ));
        }
        md.push('\n');
    }
    if published {
        md.push_str(
            "![silly-rs CPU per message relative to each peer](bench/results/ratios.svg)\n\n",
        );
    }
    md.push_str("Reproduce: `cargo run --release -p silly-bench -- all` (or `--quick`). The numbers drift by up to\n");
    md.push_str("~20% between runs on these shared VMs: compare within one run only.\n");
    if published {
        md.push_str(NOTES);
    }
    md
}
