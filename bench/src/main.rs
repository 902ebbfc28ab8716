//! The benchmark harness: silly-rs against Tokio, hyper, tokio-tungstenite,
//! fastwebsockets and may, and a bare mio "floor", on one machine in one run.
//!
//! ```text
//! cargo run --release -p silly-bench -- all            # the full run (~15 min)
//! cargo run --release -p silly-bench -- all --quick    # under 3 minutes
//! cargo run --release -p silly-bench -- tcp http ws20 ws16k wsjson wsz idle fanout [--rounds N] [--secs S] [--unpinned]
//! cargo run --release -p silly-bench -- soak [--secs S]      # not part of `all` (bench/src/soak.rs)
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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One server under test.
struct ServerSpec {
    name: &'static str,
    bin: &'static str,
    args: &'static [&'static str],
}

/// One workload and the servers that run it.
struct WorkloadSpec {
    key: &'static str,
    title: &'static str,
    loader_args: Vec<String>,
    servers: Vec<ServerSpec>,
    idle: bool,
}

const fn server(
    name: &'static str,
    bin: &'static str,
    args: &'static [&'static str],
) -> ServerSpec {
    ServerSpec { name, bin, args }
}

fn workloads(quick: bool) -> Vec<WorkloadSpec> {
    let ws_servers = || {
        vec![
            server("silly-rs", "silly_ws", &[]),
            server("tokio-tungstenite", "tungstenite_echo", &[]),
            server("fastwebsockets", "fastws_echo", &[]),
            server("floor", "floor", &["ws"]),
        ]
    };
    let idle_connections = if quick { 2_000 } else { 10_000 };
    vec![
        WorkloadSpec {
            key: "tcp",
            title: "TCP echo, 100 connections x 100 B",
            loader_args: args(&["--workload", "tcp", "--size", "100", "--connections", "100"]),
            servers: vec![
                server("silly-rs", "silly_echo", &[]),
                server("silly-rs 2 runtimes", "silly_echo", &["--threads", "2"]),
                server("tokio current_thread", "tokio_echo", &[]),
                server("tokio multi_thread", "tokio_echo", &["--multi"]),
                server("floor", "floor", &["tcp"]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "http",
            title: "HTTP/1.1 hello, 100 keep-alive connections",
            loader_args: args(&["--workload", "http", "--connections", "100"]),
            servers: vec![
                server("silly-rs", "silly_http", &[]),
                server("hyper current_thread", "hyper_hello", &[]),
                server("hyper multi_thread", "hyper_hello", &["--multi"]),
                server("may_minihttp", "may_http", &[]),
                server("floor", "floor", &["http"]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "ws20",
            title: "WebSocket echo, 100 connections x 20 B",
            loader_args: args(&["--workload", "ws", "--size", "20", "--connections", "100"]),
            servers: {
                // Both runtimes on the one server core: what running several
                // costs, with nothing shared between them.
                let mut servers = ws_servers();
                servers.insert(
                    1,
                    server("silly-rs 2 runtimes", "silly_ws", &["--threads", "2"]),
                );
                servers
            },
            idle: false,
        },
        WorkloadSpec {
            key: "ws16k",
            title: "WebSocket echo, 200 connections x 16 KiB",
            loader_args: args(&[
                "--workload",
                "ws",
                "--size",
                "16384",
                "--connections",
                "200",
            ]),
            servers: ws_servers(),
            idle: false,
        },
        WorkloadSpec {
            key: "wsjson",
            title: "WebSocket echo, 100 connections x 2 KiB JSON text, uncompressed",
            loader_args: args(&[
                "--workload",
                "wsjson",
                "--size",
                "2048",
                "--connections",
                "100",
            ]),
            servers: ws_servers()
                .into_iter()
                .filter(|s| s.name != "floor")
                .collect(),
            idle: false,
        },
        WorkloadSpec {
            key: "wsz",
            title: "WebSocket echo, 100 connections x 2 KiB JSON text, permessage-deflate \
                    (no Rust peer has it; reply bytes in bench/NOTES.md)",
            loader_args: args(&[
                "--workload",
                "wsz",
                "--size",
                "2048",
                "--connections",
                "100",
            ]),
            servers: vec![
                server("silly-rs shared contexts", "silly_ws", &["shared"]),
                server("silly-rs per-connection contexts", "silly_ws", &[]),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "fanout",
            title: "WebSocket fan-out, 1,000 subscribers + 1 publisher x 64 B text, 16 in flight \
                    (per delivery; latency publish to last receipt)",
            loader_args: args(&[
                "--workload",
                "fanout",
                "--size",
                "64",
                "--connections",
                "1000",
                "--in-flight",
                "16",
            ]),
            servers: vec![
                server("silly-rs", "silly_broadcast", &[]),
                // Half the subscribers on the other runtime: each message
                // crosses once to it, then fans out there (issue 14).
                server(
                    "silly-rs 2 runtimes",
                    "silly_broadcast",
                    &["--threads", "2"],
                ),
                server("tokio-tungstenite", "tungstenite_broadcast", &[]),
                server(
                    "tokio-tungstenite feed+flush",
                    "tungstenite_broadcast",
                    &["--batch"],
                ),
                server("fastwebsockets", "fastws_broadcast", &[]),
                server(
                    "fastwebsockets buffered+flush",
                    "fastws_broadcast",
                    &["--batch"],
                ),
            ],
            idle: false,
        },
        WorkloadSpec {
            key: "idle",
            title: "Idle WebSocket connections: server RSS per connection",
            loader_args: args(&[
                "--workload",
                "idle",
                "--connections",
                &idle_connections.to_string(),
                "--sources",
                "10",
            ]),
            servers: ws_servers()
                .into_iter()
                .filter(|s| s.name != "floor")
                .collect(),
            idle: true,
        },
    ]
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The numbers of one run, as parsed from the loader's JSON line.
#[derive(Debug, Clone, Default)]
struct Run {
    rate: f64,
    p50_us: f64,
    p99_us: f64,
    errors: f64,
    server_us_per_msg: f64,
    loader_cpu_share: f64,
    server_hwm_kib: f64,
    idle_bytes_per_conn: f64,
    /// Clients the server closed with 1008 (fan-out): such a run has no
    /// CPU figure (`server_us_per_msg` is 0).
    dropped: f64,
}

fn field(json: &str, key: &str) -> f64 {
    let needle = format!("\"{key}\":");
    json.find(&needle)
        .map(|i| &json[i + needle.len()..])
        .and_then(|rest| rest.split([',', '}']).next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn parse_run(json: &str) -> Run {
    let messages = field(json, "messages").max(1.0);
    let seconds = field(json, "seconds").max(1e-9);
    let dropped = field(json, "dropped");
    Run {
        dropped,
        rate: field(json, "rate"),
        p50_us: field(json, "p50_us"),
        p99_us: field(json, "p99_us"),
        errors: field(json, "errors"),
        server_us_per_msg: if dropped > 0.0 {
            0.0
        } else {
            field(json, "server_cpu_us") / messages
        },
        loader_cpu_share: field(json, "loader_cpu_us") / (seconds * 1e6),
        server_hwm_kib: field(json, "server_hwm_kib"),
        idle_bytes_per_conn: field(json, "idle_bytes_per_conn"),
    }
}

/// Where the server and the loader run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Server on core 0, loader on core 1: each has a core of its own.
    Pinned,
    /// Both free on every core, as a deployment without `taskset` runs.
    Unpinned,
}

impl Placement {
    /// The cores `taskset` gives the server and the loader.
    fn cores(self) -> (&'static str, &'static str) {
        match self {
            Placement::Pinned => ("0", "1"),
            Placement::Unpinned => ("0-1023", "0-1023"),
        }
    }
}

/// Starts a server placed as `placement` says; returns it with the address it
/// listens on.
fn start_server(
    dir: &Path,
    spec: &ServerSpec,
    placement: Placement,
) -> Result<(Child, String), String> {
    let bin = dir.join(spec.bin);
    let mut child = Command::new("taskset")
        .args(["-c", placement.cores().0])
        .arg(&bin)
        .arg("127.0.0.1:0")
        .args(spec.args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(addr) => Ok((child, addr)),
        Err(_) => {
            let _ = child.kill();
            Err(format!("{} did not print 'listening on'", spec.name))
        }
    }
}

fn run_load(
    dir: &Path,
    addr: &str,
    pid: u32,
    workload: &WorkloadSpec,
    warmup: f64,
    secs: f64,
    placement: Placement,
) -> Result<Run, String> {
    let out = Command::new("taskset")
        .args(["-c", placement.cores().1])
        .arg(dir.join("loader"))
        .args(["--addr", addr, "--server-pid", &pid.to_string()])
        .args(["--warmup", &warmup.to_string(), "--secs", &secs.to_string()])
        .args(&workload.loader_args)
        .output()
        .map_err(|e| format!("loader: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "loader failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(parse_run(&String::from_utf8_lossy(&out.stdout)))
}

fn median_min_max(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

struct Summary {
    name: &'static str,
    runs: Vec<Run>,
}

/// silly-rs's figure divided by a peer's, round by round, and the median of
/// those ratios. Each round runs every server back to back, seconds apart, so a
/// machine that slows down for a minute slows both sides of a pair alike; the
/// ratio of the two medians mixes rounds and lets that drift through.
fn paired_ratio(silly: &[f64], peer: &[f64]) -> Option<f64> {
    let ratios: Vec<f64> = silly
        .iter()
        .zip(peer)
        .filter(|(s, p)| **s > 0.0 && **p > 0.0)
        .map(|(s, p)| s / p)
        .collect();
    (!ratios.is_empty()).then(|| median_min_max(&ratios).0)
}

impl Summary {
    fn stat(&self, f: impl Fn(&Run) -> f64) -> (f64, f64, f64) {
        median_min_max(&self.runs.iter().map(f).collect::<Vec<_>>())
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
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
    if selected.first() == Some(&"render") {
        render(&argv[1..]);
        return;
    }
    build_servers();
    if selected.contains(&"soak") {
        soak(&dir, option("--secs").unwrap_or(600.0));
        return;
    }

    let started = Instant::now();
    let mut results: Vec<(WorkloadSpec, Vec<Summary>)> = Vec::new();
    for workload in workloads(quick) {
        if !all && !selected.contains(&workload.key) {
            continue;
        }
        eprintln!("== {}", workload.title);
        let mut summaries: Vec<Summary> = workload
            .servers
            .iter()
            .map(|s| Summary {
                name: s.name,
                runs: Vec::new(),
            })
            .collect();
        let workload_rounds = if workload.idle { rounds.min(2) } else { rounds };
        for round in 0..workload_rounds {
            for (spec, summary) in workload.servers.iter().zip(summaries.iter_mut()) {
                let outcome = start_server(&dir, spec, placement).and_then(|(mut child, addr)| {
                    let run = run_load(&dir, &addr, child.id(), &workload, warmup, secs, placement);
                    let _ = child.kill();
                    let _ = child.wait();
                    run
                });
                match outcome {
                    Ok(run) => {
                        eprintln!(
                            "  round {} {:<22} {:>9.0} msg/s  {:>5.2} us CPU/msg  p99 {:>6.0} us  errors {}{}{}",
                            round + 1,
                            spec.name,
                            run.rate,
                            run.server_us_per_msg,
                            run.p99_us,
                            run.errors,
                            if workload.idle { format!("  {:.0} B/conn", run.idle_bytes_per_conn) } else { String::new() },
                            if run.dropped > 0.0 { format!("  DROPPED {} clients with 1008: no figure", run.dropped) } else { String::new() }
                        );
                        summary.runs.push(run);
                    }
                    Err(err) => eprintln!("  round {} {}: {err}", round + 1, spec.name),
                }
            }
        }
        results.push((workload, summaries));
    }
    let command = format!("cargo run --release -p silly-bench -- {}", argv.join(" "));
    let elapsed = started.elapsed();
    let published = all && placement == Placement::Pinned;
    let run = RunInfo {
        machine: machine(),
        command: command.trim_end(),
        rounds,
        secs,
        elapsed,
        placement,
    };
    write_outputs(&repo_root(), &results, &run, published);
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

/// The soak (`bench/src/soak.rs`): the silly-rs echo and broadcast servers
/// on core 0, the loads on core 1, for `secs` seconds (a fifth of it, at
/// most a minute, is warm-up). Prints the report and writes it to
/// `bench/results/soak.md`; exits with status 1 on errors or growth over 5%.
fn soak(dir: &Path, secs: f64) {
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

/// Builds every server and the loader (they are this package's binaries).
fn build_servers() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "-q", "-p", "silly-bench", "--bins"])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("silly-bench: building the servers failed");
        std::process::exit(1);
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} cores, {model}, Linux {}", kernel.trim())
}

fn crate_versions() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap_or_default();
    let wanted = [
        "tokio",
        "hyper",
        "tokio-tungstenite",
        "fastwebsockets",
        "may",
        "may_minihttp",
        "mio",
        "corosensei",
    ];
    let mut found = Vec::new();
    let mut name = String::new();
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = n.trim_matches('"').to_owned();
        } else if let Some(v) = line.strip_prefix("version = ") {
            if wanted.contains(&name.as_str())
                && !found.iter().any(|(n, _): &(String, String)| *n == name)
            {
                found.push((name.clone(), v.trim_matches('"').to_owned()));
            }
        }
    }
    found
}

/// How a run was made, for its report.
struct RunInfo<'a> {
    machine: String,
    command: &'a str,
    rounds: usize,
    secs: f64,
    elapsed: Duration,
    placement: Placement,
}

/// Writes the report: the published files when `published` (a pinned `all`
/// run), else `bench/results/partial.*`.
fn write_outputs(
    root: &Path,
    results: &[(WorkloadSpec, Vec<Summary>)],
    run: &RunInfo<'_>,
    published: bool,
) {
    let RunInfo {
        ref machine,
        command,
        rounds,
        secs,
        elapsed,
        placement,
    } = *run;
    let _ = std::fs::create_dir_all(root.join("bench/results"));
    // JSON.
    let mut json = format!(
        "{{\"machine\":{:?},\"command\":{:?},\"rounds\":{},\"secs\":{},\"workloads\":[",
        machine, command, rounds, secs
    );
    for (wi, (w, summaries)) in results.iter().enumerate() {
        if wi > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"key\":{:?},\"title\":{:?},\"servers\":[",
            w.key, w.title
        ));
        for (si, s) in summaries.iter().enumerate() {
            if si > 0 {
                json.push(',');
            }
            let runs: Vec<String> = s
                .runs
                .iter()
                .map(|r| {
                    format!(
                        "{{\"rate\":{:.1},\"server_us_per_msg\":{:.3},\"p50_us\":{},\"p99_us\":{},\"errors\":{},\"loader_cpu_share\":{:.3},\"server_hwm_kib\":{},\"idle_bytes_per_conn\":{:.0},\"dropped\":{}}}",
                        r.rate, r.server_us_per_msg, r.p50_us, r.p99_us, r.errors, r.loader_cpu_share, r.server_hwm_kib, r.idle_bytes_per_conn, r.dropped
                    )
                })
                .collect();
            json.push_str(&format!(
                "{{\"name\":{:?},\"runs\":[{}]}}",
                s.name,
                runs.join(",")
            ));
        }
        json.push_str("]}");
    }
    json.push_str("]}\n");
    let (json_path, md_path) = if published {
        ("bench/results/latest.json", "BENCHMARKS.md")
    } else {
        ("bench/results/partial.json", "bench/results/partial.md")
    };
    let _ = std::fs::write(root.join(json_path), json);

    // Markdown.
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str("silly-rs against Tokio, hyper, tokio-tungstenite, fastwebsockets and may, and a bare mio\n");
    md.push_str("*floor* server (one `read` and one `write` per message, no runtime), measured in one run on\n");
    md.push_str("one machine. **Headline: server CPU microseconds per message** (user + system time of the server\n");
    md.push_str("process over the measured window, divided by the messages answered): on loopback the loader\n");
    md.push_str("pays the kernel's receive work inside its own `send`, so throughput saturates near the same\n");
    md.push_str("rate for every good server and cannot rank them. Lower is better.\n\n");
    md.push_str(&format!("- Machine: {}\n", machine));
    let versions: Vec<String> = crate_versions()
        .iter()
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    md.push_str(&format!("- Crates: {}\n", versions.join(", ")));
    md.push_str(&format!("- Command: `{command}` ({rounds} rounds of {secs} s per server, alternating; {:.0} s in all)\n", elapsed.as_secs_f64()));
    md.push_str(match placement {
        Placement::Pinned => "- Each server pinned to core 0 (`taskset -c 0`), the loader (`bench/src/loader.rs`, one thread on mio) to core 1.\n",
        Placement::Unpinned => "- Unpinned: servers and the loader (`bench/src/loader.rs`, one thread on mio) free on every core; the loader competes with the server for CPU.\n",
    });
    md.push_str("- Figures: median (min-max) over the rounds. *silly-rs / this*: silly-rs's CPU per message divided by this server's in the same round, median over the rounds (the two ran seconds apart, so the machine's slow drift cancels). *Loader CPU* is the loader's share of its core: near 100% means the loader, not the server, was the limit.\n\n");
    for (w, summaries) in results {
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
        let _ = std::fs::write(root.join("bench/results/ratios.svg"), svg(results));
    }
    let _ = std::fs::write(root.join(md_path), md);
}

/// `render FILE DIR [--elapsed S]`: the report of a results file written
/// before (`bench/results/latest.json`), written again under `DIR` as a
/// pinned `all` run writes it (`DIR/BENCHMARKS.md`, `DIR/bench/results/`),
/// with today's `bench/NOTES.md` and `Cargo.lock`. No benchmark runs. The
/// file does not hold the run's duration: `--elapsed` gives it (default 0).
fn render(args: &[String]) {
    let (Some(file), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: silly-bench render RESULTS.json DIR [--elapsed SECONDS]");
        std::process::exit(2);
    };
    let elapsed = args
        .iter()
        .position(|a| a == "--elapsed")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse::<f64>().expect("--elapsed SECONDS"))
        .unwrap_or(0.0);
    let file = Path::new(file);
    let loaded = match read_results(file) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("silly-bench render: {e}");
            std::process::exit(1);
        }
    };
    let run = RunInfo {
        machine: loaded.machine,
        command: &loaded.command,
        rounds: loaded.rounds,
        secs: loaded.secs,
        elapsed: Duration::from_secs_f64(elapsed),
        placement: Placement::Pinned,
    };
    write_outputs(Path::new(dir), &loaded.results, &run, true);
}

/// A results file read back.
struct Loaded {
    machine: String,
    command: String,
    rounds: usize,
    secs: f64,
    results: Vec<(WorkloadSpec, Vec<Summary>)>,
}

fn read_results(file: &Path) -> Result<Loaded, String> {
    use serde_json::Value;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let get = |v: &'_ Value, at: &str, key: &str| -> Result<Value, String> {
        v.get(key)
            .cloned()
            .ok_or_else(|| format!("{}: {at}: no key {key:?}", file.display()))
    };
    let num = |v: &Value, at: &str, key: &str| -> Result<f64, String> {
        get(v, at, key)?
            .as_f64()
            .ok_or_else(|| format!("{}: {at}: {key:?} is not a number", file.display()))
    };
    let text_of = |v: &Value, at: &str, key: &str| -> Result<String, String> {
        get(v, at, key)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: {at}: {key:?} is not a string", file.display()))
    };
    let list = |v: &Value, at: &str, key: &str| -> Result<Vec<Value>, String> {
        match get(v, at, key)? {
            Value::Array(items) => Ok(items),
            _ => Err(format!("{}: {at}: {key:?} is not a list", file.display())),
        }
    };
    let specs = workloads(false);
    let mut results = Vec::new();
    for (wi, w) in list(&json, "top", "workloads")?.iter().enumerate() {
        let at = format!("workloads[{wi}]");
        let key = text_of(w, &at, "key")?;
        let Some(spec) = specs.iter().find(|s| s.key == key) else {
            return Err(format!(
                "{}: {at}: unknown workload {key:?}",
                file.display()
            ));
        };
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let workload = WorkloadSpec {
            key: spec.key,
            title: leak(text_of(w, &at, "title")?),
            loader_args: Vec::new(),
            servers: Vec::new(),
            idle: spec.idle,
        };
        let mut summaries = Vec::new();
        for (si, s) in list(w, &at, "servers")?.iter().enumerate() {
            let at = format!("{at}.servers[{si}]");
            let mut runs = Vec::new();
            for (ri, r) in list(s, &at, "runs")?.iter().enumerate() {
                let at = format!("{at}.runs[{ri}]");
                runs.push(Run {
                    rate: num(r, &at, "rate")?,
                    p50_us: num(r, &at, "p50_us")?,
                    p99_us: num(r, &at, "p99_us")?,
                    errors: num(r, &at, "errors")?,
                    server_us_per_msg: num(r, &at, "server_us_per_msg")?,
                    loader_cpu_share: num(r, &at, "loader_cpu_share")?,
                    server_hwm_kib: num(r, &at, "server_hwm_kib")?,
                    idle_bytes_per_conn: num(r, &at, "idle_bytes_per_conn")?,
                    dropped: num(r, &at, "dropped")?,
                });
            }
            summaries.push(Summary {
                name: leak(text_of(s, &at, "name")?),
                runs,
            });
        }
        results.push((workload, summaries));
    }
    Ok(Loaded {
        machine: text_of(&json, "top", "machine")?,
        command: text_of(&json, "top", "command")?,
        rounds: num(&json, "top", "rounds")? as usize,
        secs: num(&json, "top", "secs")?,
        results,
    })
}

/// Hand-written notes appended to the generated report (what changed and why).
const NOTES: &str = include_str!("../NOTES.md");

/// A bar chart of silly-rs / peer CPU per message (below 1: silly-rs cheaper).
fn svg(results: &[(WorkloadSpec, Vec<Summary>)]) -> String {
    let mut bars = Vec::new();
    for (w, summaries) in results {
        if w.idle {
            let silly = summaries
                .iter()
                .find(|s| s.name == "silly-rs")
                .map(|s| s.stat(|r| r.idle_bytes_per_conn).0);
            for s in summaries.iter().filter(|s| s.name != "silly-rs") {
                let peer = s.stat(|r| r.idle_bytes_per_conn).0;
                if let (Some(silly), true) = (silly, peer > 0.0) {
                    bars.push((format!("{}: vs {}", w.key, s.name), silly / peer));
                }
            }
            continue;
        }
        let per_round =
            |s: &Summary| -> Vec<f64> { s.runs.iter().map(|r| r.server_us_per_msg).collect() };
        let Some(silly) = summaries.iter().find(|s| s.name == "silly-rs") else {
            continue;
        };
        for s in summaries.iter().filter(|s| s.name != "silly-rs") {
            if let Some(ratio) = paired_ratio(&per_round(silly), &per_round(s)) {
                bars.push((format!("{}: vs {}", w.key, s.name), ratio));
            }
        }
    }
    let row = 22;
    let width = 720;
    let left = 260;
    let scale = |r: f64| ((r.min(2.0)) / 2.0 * (width - left - 40) as f64) as i64;
    let height = 40 + bars.len() * row + 20;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">silly-rs cost relative to each peer (CPU per message; idle: RSS per connection). Below 1 = silly-rs cheaper.</text>\n"
    );
    let one = left + scale(1.0);
    for (i, (label, ratio)) in bars.iter().enumerate() {
        let y = 36 + i * row;
        let color = if *ratio <= 1.0 { "#2e7d32" } else { "#c62828" };
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n<rect x=\"{left}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{color}\"/>\n<text x=\"{}\" y=\"{}\">{:.2}</text>\n",
            left - 6,
            y + 11,
            label.replace('&', "&amp;"),
            y,
            scale(*ratio).max(1),
            left + scale(*ratio) + 4,
            y + 11,
            ratio
        ));
    }
    out.push_str(&format!(
        "<line x1=\"{one}\" y1=\"28\" x2=\"{one}\" y2=\"{}\" stroke=\"black\" stroke-dasharray=\"4\"/>\n<text x=\"{one}\" y=\"{}\" text-anchor=\"middle\">1.0</text>\n</svg>\n",
        height - 16,
        height - 4
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_json_is_parsed() {
        let run = parse_run("{\"messages\":1000,\"seconds\":2.000,\"rate\":500.0,\"p50_us\":10.0,\"p99_us\":20.0,\"errors\":0,\"server_cpu_us\":5000,\"loader_cpu_us\":1000000,\"server_rss_kib\":1,\"server_hwm_kib\":2,\"idle_bytes_per_conn\":0}");
        assert_eq!(run.server_us_per_msg, 5.0);
        assert_eq!(run.loader_cpu_share, 0.5);
        assert_eq!(run.p99_us, 20.0);
        let dropped =
            parse_run("{\"messages\":1000,\"seconds\":2.000,\"server_cpu_us\":5000,\"dropped\":3}");
        assert_eq!((dropped.dropped, dropped.server_us_per_msg), (3.0, 0.0));
    }

    #[test]
    fn ratios_are_paired_by_round() {
        // The machine got twice as slow for the last two rounds: each pair still
        // says silly-rs costs 0.8 of the peer; the ratio of medians would not.
        let silly = [4.0, 4.0, 4.0, 8.0, 8.0];
        let peer = [5.0, 5.0, 5.0, 10.0, 10.0];
        assert_eq!(paired_ratio(&silly, &peer), Some(0.8));
        assert_eq!(paired_ratio(&silly, &[0.0; 5]), None);
        assert_eq!(paired_ratio(&[], &[]), None);
        // A run without a figure (a fan-out server that dropped clients)
        // pairs with nothing.
        assert_eq!(paired_ratio(&[0.0, 4.0], &[5.0, 5.0]), Some(0.8));
    }

    #[test]
    fn median_of_runs() {
        assert_eq!(median_min_max(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(median_min_max(&[]), (0.0, 0.0, 0.0));
    }
}
