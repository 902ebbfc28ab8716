//! Runs one load and prints its report as one JSON line.
//!
//! ```text
//! loader --addr 127.0.0.1:8080 --workload tcp|http|ws|idle|wsjson|wsz|idlez|fanout [--size N] [--connections N]
//!        [--warmup SECS] [--secs SECS] [--server-pid PID] [--sources N] [--in-flight N]
//! ```
//! `--sources N` spreads connections over 127.0.0.2 .. 127.0.0.(N+1).
//! `wsjson`: a JSON text message of `--size` bytes, echoed; `wsz` the same
//! with permessage-deflate offered; `idlez` idle with it offered.
//! `fanout`: `--connections` subscribers and one publisher of `--size`-byte
//! text messages, `--in-flight` of them at most (default 16), against a
//! broadcast server (`silly_bench::fanout`); `--publisher-addr ADDR` puts
//! the publisher on another node of the same room (cross-node latency).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use silly_bench::fanout::{self, FanoutPlan};
use silly_bench::loader::{self, Plan, Workload};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number =
        |name: &str, default: f64| get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let addr = get("--addr")
        .expect("--addr")
        .parse()
        .expect("--addr ip:port");
    let size = number("--size", 100.0) as usize;
    let warmup = Duration::from_secs_f64(number("--warmup", 2.0));
    let measure = Duration::from_secs_f64(number("--secs", 5.0));
    let server_pid = get("--server-pid").and_then(|p| p.parse().ok());
    let connections = number("--connections", 100.0) as usize;
    if get("--workload").as_deref() == Some("fanout") {
        let plan = FanoutPlan {
            addr,
            publisher_addr: get("--publisher-addr")
                .map(|a| a.parse().expect("--publisher-addr ip:port")),
            subscribers: connections,
            size,
            in_flight: number("--in-flight", 16.0) as usize,
            warmup,
            measure,
            server_pid,
        };
        report(fanout::run(&plan));
        return;
    }
    let workload = match get("--workload").as_deref() {
        Some("http") => Workload::Http,
        Some("ws") => Workload::Ws { size },
        Some("idle") => Workload::Idle,
        Some("idlez") => Workload::IdleDeflate,
        Some("wsjson") => Workload::WsJson {
            size,
            deflate: false,
        },
        Some("wsz") => Workload::WsJson {
            size,
            deflate: true,
        },
        _ => Workload::Tcp { size },
    };
    let sources = (0..number("--sources", 0.0) as u8)
        .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i)))
        .collect();
    let plan = Plan {
        workload,
        addr,
        connections,
        warmup,
        measure,
        sources,
        server_pid,
    };
    report(loader::run(&plan));
}

/// Prints the report as one JSON line, or the error and exits with status 1.
fn report(outcome: std::io::Result<loader::Report>) {
    match outcome {
        Ok(report) => println!("{}", report.to_json()),
        Err(err) => {
            eprintln!("loader: {err}");
            std::process::exit(1);
        }
    }
}
