//! The `soak` command: the soak of `silly_bench::soak` against the silly-rs
//! servers, placed as the benchmarks are.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::launch::{start_server, Placement};
use crate::harness::machine::{machine, repo_root};
use crate::harness::workloads::{server, ServerSpec};

/// The soak (`bench/src/soak.rs`): the silly-rs echo and broadcast servers
/// on core 0, the loads on core 1, for `secs` seconds (a fifth of it, at
/// most a minute, is warm-up). Prints the report and writes it to
/// `bench/results/soak.md`; exits with status 1 on errors or growth over 5%.
pub(crate) fn soak(dir: &Path, secs: f64) {
    let echo_spec = server("silly-rs websocket echo", "silly_ws", &[]);
    let broadcast_spec = server("silly-rs broadcast", "silly_broadcast", &[]);
    let started =
        [&echo_spec, &broadcast_spec].map(|spec| start_server(dir, spec, Placement::Pinned));
    let [Ok((mut echo, echo_addr)), Ok((mut broadcast, broadcast_addr))] = started else {
        eprintln!("soak: a server did not start");
        std::process::exit(1);
    };
    // Before the pinning below hides the other core.
    let machine = machine();
    // Threads started from here on inherit the loader's core.
    let _ = Command::new("taskset")
        .args(["-cp", "1", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
    let target = |spec: &ServerSpec, child: &Child, addr: &str| silly_bench::soak::Target {
        name: spec.name.to_owned(),
        addr: addr.parse().expect("server address"),
        pid: child.id(),
    };
    let warmup = (secs / 5.0).min(60.0);
    let plan = silly_bench::soak::SoakPlan {
        echo: target(&echo_spec, &echo, &echo_addr),
        broadcast: target(&broadcast_spec, &broadcast, &broadcast_addr),
        warmup: Duration::from_secs_f64(warmup),
        measure: Duration::from_secs_f64(secs - warmup),
        sample_every: Duration::from_secs_f64((secs / 20.0).clamp(2.0, 10.0)),
    };
    eprintln!("== soak: {secs:.0} s ({warmup:.0} s warm-up)");
    let report = silly_bench::soak::run(&plan, |line| eprintln!("{line}"));
    for child in [&mut echo, &mut broadcast] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let text = format!(
        "Command: `cargo run --release -p silly-bench -- soak --secs {secs:.0}` on {machine}\n\n{}\nLargest growth after warm-up: {:.1}% (target under 5%).\n",
        report.to_markdown(),
        report.worst_growth()
    );
    eprintln!("{text}");
    let _ = std::fs::create_dir_all(repo_root().join("bench/results"));
    let _ = std::fs::write(repo_root().join("bench/results/soak.md"), &text);
    if report.totals.errors() > 0 || report.worst_growth() >= 5.0 {
        std::process::exit(1);
    }
}
