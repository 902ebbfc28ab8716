//! The soak: the silly-rs WebSocket echo and broadcast servers under mixed
//! load for a long time, watched for growth.
//!
//! Three loads run at once, each on its own thread, until the deadline:
//!
//! - **echo**: runs of 50 connections of 20 B binary and 2 KiB JSON text
//!   echoes against the echo server ([`loader`]), each run on new
//!   connections closed at its end;
//! - **fan-out**: runs of 200 subscribers and a publisher against the
//!   broadcast server ([`fanout`]), every message checked for order;
//! - **churn**: connections to both servers aborted at every stage: reset
//!   right after connecting, half-way through the upgrade request, half-way
//!   through a frame; closed (FIN) half-way through a frame; and on the echo
//!   server a whole echo, then a reset.
//!
//! The server's resident memory and open descriptors (`/proc/PID/fd`) are
//! sampled every few seconds. Growth is judged between two quiet samples (no
//! load, two seconds after it stopped): one after the warm-up, one at the
//! end. A live-task count is not reachable from outside the examples; open
//! descriptors stand for connections (each holds its tasks).

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use crate::fanout::{self, FanoutPlan};
use crate::loader::{self, client_frame, status_kib, upgrade_request, Plan, Workload};

/// One server under the soak.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name in the report.
    pub name: String,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its process, to sample.
    pub pid: u32,
}

/// How to run a soak.
#[derive(Debug, Clone)]
pub struct SoakPlan {
    /// The WebSocket echo server.
    pub echo: Target,
    /// The broadcast server.
    pub broadcast: Target,
    /// Load before the baseline sample.
    pub warmup: Duration,
    /// Load after it.
    pub measure: Duration,
    /// Time between samples while loaded.
    pub sample_every: Duration,
}

/// The longest a single echo or fan-out run lasts: its connections are then
/// closed and new ones opened.
const RUN: Duration = Duration::from_secs(5);

/// Wait after a load stops before the quiet sample.
const SETTLE: Duration = Duration::from_secs(2);

/// What the loads did.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Echoed messages.
    pub echoes: u64,
    /// Fan-out deliveries.
    pub deliveries: u64,
    /// Aborted connections.
    pub churned: u64,
    /// Echo errors (wrong replies, failed runs).
    pub echo_errors: u64,
    /// Fan-out errors (out of order, missing, failed runs).
    pub fanout_errors: u64,
    /// Clients the broadcast server dropped with 1008.
    pub dropped: u64,
    /// Churn connections that did not upgrade or echo as they should.
    pub churn_errors: u64,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.echoes += other.echoes;
        self.deliveries += other.deliveries;
        self.churned += other.churned;
        self.echo_errors += other.echo_errors;
        self.fanout_errors += other.fanout_errors;
        self.dropped += other.dropped;
        self.churn_errors += other.churn_errors;
    }

    /// All errors, drops included.
    pub fn errors(&self) -> u64 {
        self.echo_errors + self.fanout_errors + self.dropped + self.churn_errors
    }
}

/// One look at a server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// Seconds since the soak began.
    pub at: f64,
    /// Resident memory, KiB.
    pub rss_kib: u64,
    /// Open file descriptors.
    pub fds: usize,
}

fn sample(pid: u32, began: Instant) -> Sample {
    let pid_s = pid.to_string();
    Sample {
        at: began.elapsed().as_secs_f64(),
        rss_kib: status_kib(&pid_s, "VmRSS"),
        fds: std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count()),
    }
}

/// What a soak found.
#[derive(Debug, Clone, Default)]
pub struct SoakReport {
    /// Per server (echo, broadcast): its name, samples under load, and the
    /// quiet samples after the warm-up and at the end.
    pub servers: Vec<(String, Vec<Sample>, Sample, Sample)>,
    /// What the loads did (warm-up included).
    pub totals: Totals,
}

/// Growth from `before` to `after`, percent.
fn growth(before: f64, after: f64) -> f64 {
    if before <= 0.0 {
        return 0.0;
    }
    (after - before) / before * 100.0
}

impl SoakReport {
    /// The largest growth of memory or descriptors between the quiet samples, percent.
    pub fn worst_growth(&self) -> f64 {
        self.servers
            .iter()
            .flat_map(|(_, _, base, end)| {
                [
                    growth(base.rss_kib as f64, end.rss_kib as f64),
                    growth(base.fds as f64, end.fds as f64),
                ]
            })
            .fold(0.0, f64::max)
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let t = &self.totals;
        let mut out = String::new();
        out.push_str("| server | RSS after warm-up | RSS at end | growth | peak RSS under load | fds after warm-up | fds at end | peak fds under load |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for (name, samples, base, end) in &self.servers {
            let peak_rss = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
            let peak_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
            out.push_str(&format!(
                "| {name} | {:.1} MiB | {:.1} MiB | {:+.1}% | {:.1} MiB | {} | {} | {peak_fds} |\n",
                base.rss_kib as f64 / 1024.0,
                end.rss_kib as f64 / 1024.0,
                growth(base.rss_kib as f64, end.rss_kib as f64),
                peak_rss as f64 / 1024.0,
                base.fds,
                end.fds,
            ));
        }
        out.push_str(&format!(
            "\nLoad: {} echoes, {} fan-out deliveries, {} aborted connections. Errors: echo {}, \
             fan-out {}, dropped with 1008 {}, churn {}.\n",
            t.echoes,
            t.deliveries,
            t.churned,
            t.echo_errors,
            t.fanout_errors,
            t.dropped,
            t.churn_errors
        ));
        out
    }
}

/// Runs the soak; `progress` gets a line per sample.
pub fn run(plan: &SoakPlan, mut progress: impl FnMut(&str)) -> SoakReport {
    let began = Instant::now();
    let targets = [&plan.echo, &plan.broadcast];
    let mut report = SoakReport::default();
    let mut loaded: Vec<Vec<Sample>> = vec![Vec::new(); 2];
    let mut quiet = Vec::new();
    for phase in [plan.warmup, plan.measure] {
        let deadline = Instant::now() + phase;
        let loads = [
            spawn_load(plan, deadline, echo_load),
            spawn_load(plan, deadline, fanout_load),
            spawn_load(plan, deadline, churn_load),
        ];
        while Instant::now() < deadline {
            thread::sleep(plan.sample_every.min(deadline - Instant::now()));
            let mut line = format!("{:>6.0} s", began.elapsed().as_secs_f64());
            for (target, samples) in targets.iter().zip(&mut loaded) {
                let s = sample(target.pid, began);
                line.push_str(&format!(
                    "  {}: {} KiB, {} fds",
                    target.name, s.rss_kib, s.fds
                ));
                samples.push(s);
            }
            progress(&line);
        }
        for load in loads {
            match load.join() {
                Ok(totals) => report.totals.add(&totals),
                Err(_) => report.totals.churn_errors += 1,
            }
        }
        thread::sleep(SETTLE);
        quiet.push(targets.map(|t| sample(t.pid, began)));
    }
    for (i, (target, samples)) in targets.iter().zip(loaded).enumerate() {
        report
            .servers
            .push((target.name.clone(), samples, quiet[0][i], quiet[1][i]));
    }
    report
}

fn spawn_load(
    plan: &SoakPlan,
    deadline: Instant,
    load: fn(&SoakPlan, Instant) -> Totals,
) -> thread::JoinHandle<Totals> {
    let plan = plan.clone();
    thread::spawn(move || load(&plan, deadline))
}

/// The time left before `deadline`, at most one run's.
fn next_run(deadline: Instant) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    (left > Duration::from_millis(500)).then(|| left.min(RUN))
}

fn echo_load(plan: &SoakPlan, deadline: Instant) -> Totals {
    let mut totals = Totals::default();
    let mut turn = 0;
    while let Some(measure) = next_run(deadline) {
        turn += 1;
        let workload = if turn % 2 == 0 {
            Workload::Ws { size: 20 }
        } else {
            Workload::WsJson {
                size: 2048,
                deflate: false,
            }
        };
        let run = loader::run(&Plan {
            workload,
            addr: plan.echo.addr,
            connections: 50,
            warmup: Duration::ZERO,
            measure,
            sources: Vec::new(),
            server_pid: None,
        });
        match run {
            Ok(r) => {
                totals.echoes += r.messages;
                totals.echo_errors += r.errors;
            }
            Err(_) => totals.echo_errors += 1,
        }
    }
    totals
}

fn fanout_load(plan: &SoakPlan, deadline: Instant) -> Totals {
    let mut totals = Totals::default();
    while let Some(measure) = next_run(deadline) {
        let run = fanout::run(&FanoutPlan {
            addr: plan.broadcast.addr,
            publisher_addr: None,
            subscribers: 200,
            size: 64,
            in_flight: 16,
            warmup: Duration::ZERO,
            measure,
            server_pid: None,
        });
        match run {
            Ok(r) => {
                totals.deliveries += r.messages;
                totals.fanout_errors += r.errors;
                totals.dropped += r.dropped;
            }
            Err(_) => totals.fanout_errors += 1,
        }
    }
    totals
}

/// How a churn connection ends.
#[derive(Debug, Clone, Copy)]
enum Abort {
    /// Reset right after connecting.
    Connected,
    /// Reset half-way through the upgrade request.
    InUpgrade,
    /// Reset half-way through a frame.
    InFrame,
    /// FIN half-way through a frame.
    ClosedInFrame,
    /// A whole echo, then a reset (echo server only: on the broadcast server
    /// the message would reach the fan-out's subscribers).
    AfterEcho,
}

const ABORTS: [Abort; 5] = [
    Abort::Connected,
    Abort::InUpgrade,
    Abort::InFrame,
    Abort::ClosedInFrame,
    Abort::AfterEcho,
];

fn churn_load(plan: &SoakPlan, deadline: Instant) -> Totals {
    let mut totals = Totals::default();
    while Instant::now() < deadline {
        for abort in ABORTS {
            for target in [&plan.echo, &plan.broadcast] {
                if matches!(abort, Abort::AfterEcho) && target.addr == plan.broadcast.addr {
                    continue;
                }
                totals.churned += 1;
                if churn_once(target.addr, abort).is_err() {
                    totals.churn_errors += 1;
                }
            }
        }
        thread::sleep(Duration::from_millis(20));
    }
    totals
}

/// Reads until the end of the upgrade response; an error unless it is a 101.
fn read_upgrade(stream: &mut std::net::TcpStream) -> std::io::Result<()> {
    let mut input = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(switched) = loader::take_upgrade(&mut input) {
            return if switched {
                Ok(())
            } else {
                Err(std::io::Error::other("upgrade refused"))
            };
        }
        match stream.read(&mut buf)? {
            0 => return Err(ErrorKind::UnexpectedEof.into()),
            n => input.extend_from_slice(&buf[..n]),
        }
    }
}

fn churn_once(addr: SocketAddr, abort: Abort) -> std::io::Result<()> {
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let reset = |stream: std::net::TcpStream| {
        socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))
    };
    let handshake = upgrade_request("");
    let message = client_frame(b"churn: a message cut short");
    match abort {
        Abort::Connected => return reset(stream),
        Abort::InUpgrade => {
            stream.write_all(&handshake[..handshake.len() / 2])?;
            return reset(stream);
        }
        _ => {}
    }
    stream.write_all(&handshake)?;
    read_upgrade(&mut stream)?;
    match abort {
        Abort::InFrame => {
            stream.write_all(&message[..message.len() / 2])?;
            reset(stream)
        }
        Abort::ClosedInFrame => {
            stream.write_all(&message[..message.len() / 2])?;
            stream.shutdown(std::net::Shutdown::Write)
        }
        _ => {
            stream.write_all(&message)?;
            let mut reply = vec![0u8; message.len() - 4];
            stream.read_exact(&mut reply)?;
            if reply != loader::server_frame(b"churn: a message cut short") {
                return Err(std::io::Error::other("wrong echo"));
            }
            reset(stream)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_judged_between_quiet_samples() {
        let quiet = |rss_kib, fds| Sample {
            at: 0.0,
            rss_kib,
            fds,
        };
        let report = SoakReport {
            servers: vec![(
                "echo".into(),
                vec![quiet(9000, 300)],
                quiet(1000, 10),
                quiet(1030, 11),
            )],
            totals: Totals::default(),
        };
        assert_eq!(report.worst_growth(), 10.0, "descriptors grew 10%");
        assert!(report.to_markdown().contains("+3.0%"));
    }
}
