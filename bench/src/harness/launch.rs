//! The processes of a measurement: the servers and the loader, started
//! where the placement says.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::harness::run::Run;
use crate::harness::workloads::{ServerSpec, WorkloadSpec};

/// Where the server and the loader run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
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
pub(crate) fn start_server(
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

/// Runs the loader against the server at `addr` (process `pid`) and reads
/// the figures it prints.
pub(crate) fn run_load(
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
    Run::from_loader("the loader's output", &String::from_utf8_lossy(&out.stdout))
        .map_err(|e| e.to_string())
}

/// Builds every server and the loader (they are this package's binaries).
pub(crate) fn build_servers() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "-q", "-p", "silly-bench", "--bins"])
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("silly-bench: building the servers failed");
        std::process::exit(1);
    }
}
