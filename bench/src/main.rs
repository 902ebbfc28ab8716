//! The benchmark harness: silly-rs against Tokio, hyper, tokio-tungstenite,
//! fastwebsockets and may, and a bare mio "floor", on one machine in one run.
//!
//! ```text
//! cargo run --release -p silly-bench -- all            # the full run (~15 min)
//! cargo run --release -p silly-bench -- all --quick    # under 3 minutes
//! cargo run --release -p silly-bench -- tcp http ws20 ws16k wsjson wsz idle fanout [--rounds N] [--secs S] [--unpinned]
//! cargo run --release -p silly-bench -- soak [--secs S]      # not part of `all` (bench/src/soak.rs)
//! cargo run --release -p silly-bench -- render RESULTS.json DIR [--elapsed S]
//! ```
//!
//! Each server runs pinned to core 0 and the loader to core 1; with
//! `--unpinned` both are free to use every core (the scheduler decides, and the
//! loader competes with the server). Servers
//! alternate within each round (A B C, A B C, ...) so the machine's drift hits
//! all of them alike; the report gives medians with min-max, and ratios to
//! silly-rs as the median of same-round ratios (`paired_ratio`). A pinned `all`
//! run writes `bench/results/latest.json`, `BENCHMARKS.md` and
//! `bench/results/ratios.svg`; any other run (some workloads, or unpinned)
//! writes `bench/results/partial.json` and `bench/results/partial.md`, so a
//! quick look at one row never replaces the published tables.
//!
//! `render` runs nothing: it writes the report of a results file again
//! (`DIR/BENCHMARKS.md`, `DIR/bench/results/`), as a pinned `all` run wrote
//! it, with today's `bench/NOTES.md` and `Cargo.lock`; the file does not hold
//! the run's duration, which `--elapsed` gives (default 0).
//!
//! The parts are in `harness/`, one concept per file.

mod harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use harness::launch::{build_servers, Placement};
use harness::machine::{machine, repo_root};
use harness::outputs::write_outputs;
use harness::results::Results;
use harness::rounds::{measure, Plan};
use harness::soak::soak;
use harness::workloads::workloads;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("render") {
        render(&argv[1..]);
        return;
    }
    let quick = argv.iter().any(|a| a == "--quick");
    let option = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let rounds = option("--rounds").unwrap_or(if quick { 2.0 } else { 5.0 }) as usize;
    let secs = option("--secs").unwrap_or(if quick { 2.0 } else { 5.0 });
    let warmup = if quick { 1.0 } else { 2.0 };
    let selected: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--") && a.parse::<f64>().is_err())
        .collect();
    let all = selected.is_empty() || selected.contains(&"all");
    let placement = if argv.iter().any(|a| a == "--unpinned") {
        Placement::Unpinned
    } else {
        Placement::Pinned
    };

    let dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target/release"));
    build_servers();
    if selected.contains(&"soak") {
        soak(&dir, option("--secs").unwrap_or(600.0));
        return;
    }

    let started = Instant::now();
    let plan = Plan {
        dir: &dir,
        rounds,
        secs,
        warmup,
        placement,
    };
    let chosen = workloads(quick)
        .into_iter()
        .filter(|w| all || selected.contains(&w.key))
        .collect();
    let measured = measure(&plan, chosen);
    let command = format!("cargo run --release -p silly-bench -- {}", argv.join(" "));
    let elapsed = started.elapsed();
    let published = all && placement == Placement::Pinned;
    let results = Results {
        machine: machine(),
        command: command.trim_end().to_owned(),
        rounds,
        secs,
        workloads: measured,
    };
    write_outputs(&repo_root(), &results, elapsed, placement, published);
    eprintln!(
        "done in {:.0} s: {}",
        elapsed.as_secs_f64(),
        if published {
            "BENCHMARKS.md, bench/results/latest.json, bench/results/ratios.svg"
        } else {
            "bench/results/partial.md, bench/results/partial.json"
        }
    );
}

/// `render RESULTS.json DIR [--elapsed S]`: see the crate docs.
fn render(args: &[String]) {
    let (Some(file), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: silly-bench render RESULTS.json DIR [--elapsed SECONDS]");
        std::process::exit(2);
    };
    let elapsed = match args.iter().position(|a| a == "--elapsed") {
        None => 0.0,
        Some(i) => match args.get(i + 1).and_then(|v| v.parse::<f64>().ok()) {
            Some(secs) if secs >= 0.0 && secs.is_finite() => secs,
            _ => {
                eprintln!("silly-bench render: --elapsed takes a number of seconds");
                std::process::exit(2);
            }
        },
    };
    let results = match Results::read(Path::new(file)) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("silly-bench render: {e}");
            std::process::exit(1);
        }
    };
    let elapsed = Duration::from_secs_f64(elapsed);
    write_outputs(Path::new(dir), &results, elapsed, Placement::Pinned, true);
}
