//! What every example server does around its handler: the command line
//! (`[ADDR] [ARG...] [--threads N] [--grace SECS] [--redis URL]`), a logger for the `log`
//! messages of silly and the example (env_logger: level `info` unless
//! `RUST_LOG` says otherwise, on stderr), `listening on ADDR` once it
//! accepts, and a graceful stop on SIGINT or SIGTERM: `shutting down`, the
//! server's `shutdown(grace)`, exit status 0.
//!
//! With `--threads N` (N > 1), N runtimes serve, one per thread: runtime 0
//! binds (port 0 allowed) and sends the bound address to the others through
//! `sync::remote` channels; they bind the same port (`SO_REUSEPORT`, set by
//! `TcpListener::bind` when several runtimes run) and report back; then
//! runtime 0 prints `listening on ADDR` once. Runtime 0 alone waits for the
//! signal and tells the others to shut down, so a signal that arrives before
//! another runtime has started waiting is not missed.

#![allow(dead_code)] // each example uses its part of this file

use std::io::{self, Write};
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use silly::net::{http, tcp, tls};
use silly::signal::{self, Signal};
use silly::sync::remote;

/// The default grace period of a graceful stop.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// The command line of an example server.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on (first positional argument).
    pub addr: String,
    /// Positional arguments after the address, for the example itself.
    pub rest: Vec<String>,
    /// `--threads N`: runtimes to run (default 1).
    pub threads: usize,
    /// `--grace SECS`: longest wait for connections to finish at a stop.
    pub grace: Duration,
    /// `--redis URL`: the Redis server that joins this node's hubs to other
    /// nodes' (examples that have a hub; the others ignore it).
    pub redis: Option<String>,
    /// `--max-connections-per-ip N|off` (the chat; the others ignore it):
    /// `None` leaves the example's default, `Some(None)` is off.
    pub max_connections_per_ip: Option<Option<usize>>,
    /// `--max-messages-per-second N|off` per WebSocket connection (the chat;
    /// the others ignore it), as `max_connections_per_ip`.
    pub max_messages_per_second: Option<Option<u32>>,
    /// `--metrics`: time requests and loop turns for `silly::metrics` from the
    /// start (as mounting `silly::metrics::handler()` does): what the bench's
    /// "metrics on" servers measure.
    pub metrics: bool,
}

impl Options {
    /// Parses the process's arguments; prints the usage and exits with
    /// status 2 on a bad one.
    pub fn parse(name: &str, default_addr: &str) -> Options {
        let mut options = Options {
            addr: default_addr.to_owned(),
            rest: Vec::new(),
            threads: 1,
            grace: DEFAULT_GRACE,
            redis: None,
            max_connections_per_ip: None,
            max_messages_per_second: None,
            metrics: false,
        };
        let mut positional = Vec::new();
        let mut args = std::env::args().skip(1);
        let usage = |what: &str| -> ! {
            eprintln!("{name}: {what}\nusage: {name} [ADDR] [ARG...] [--threads N] [--grace SECS] [--redis URL] [--max-connections-per-ip N|off] [--max-messages-per-second N|off] [--metrics]");
            std::process::exit(2)
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--threads" => match args.next().and_then(|n| n.parse().ok()) {
                    Some(n) if n >= 1 => options.threads = n,
                    _ => usage("--threads needs a number of runtimes, 1 or more"),
                },
                "--grace" => match args.next().and_then(|s| s.parse::<f64>().ok()) {
                    Some(secs) if secs.is_finite() && secs >= 0.0 => {
                        options.grace = Duration::from_secs_f64(secs)
                    }
                    _ => usage("--grace needs a number of seconds"),
                },
                "--redis" => match args.next() {
                    Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                        options.redis = Some(url)
                    }
                    _ => usage("--redis needs a URL, redis://HOST:PORT"),
                },
                "--metrics" => options.metrics = true,
                "--max-connections-per-ip" => match limit(args.next()) {
                    Some(limit) => options.max_connections_per_ip = Some(limit),
                    None => usage("--max-connections-per-ip needs a number, 1 or more, or off"),
                },
                "--max-messages-per-second" => match limit(args.next()) {
                    Some(limit) => options.max_messages_per_second = Some(limit),
                    None => usage("--max-messages-per-second needs a number, 1 or more, or off"),
                },
                _ => positional.push(arg),
            }
        }
        let mut positional = positional.into_iter();
        if let Some(addr) = positional.next() {
            options.addr = addr;
        }
        options.rest = positional.collect();
        options
    }
}

/// A limit's value: `off`, or a number of at least 1.
fn limit<N: std::str::FromStr + PartialEq + From<u8>>(arg: Option<String>) -> Option<Option<N>> {
    match arg.as_deref() {
        Some("off") => Some(None),
        Some(n) => n.parse().ok().filter(|n| *n != N::from(0)).map(Some),
        None => None,
    }
}

/// Installs env_logger: level `info` by default, `RUST_LOG` to change it.
pub fn init_logging() {
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env).try_init();
}

/// A server the examples can stop: every server handle of silly, seen as
/// the TCP server it runs on.
pub trait Stoppable {
    /// The TCP server underneath.
    fn tcp(&self) -> &tcp::Server;
}

impl Stoppable for tcp::Server {
    fn tcp(&self) -> &tcp::Server {
        self
    }
}

impl Stoppable for http::Server {
    fn tcp(&self) -> &tcp::Server {
        self.deref()
    }
}

impl Stoppable for tls::Server {
    fn tcp(&self) -> &tcp::Server {
        self.deref()
    }
}

impl<T: Stoppable> Stoppable for std::rc::Rc<T> {
    fn tcp(&self) -> &tcp::Server {
        (**self).tcp()
    }
}

/// A line on stdout; a closed stdout is not an error worth a panic.
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    let _ = out.write_fmt(line);
    let _ = out.write_all(b"\n");
    let _ = out.flush();
}

/// Runs `options.threads` runtimes, each serving with `start(addr)` (called
/// once on each runtime, with the address to bind), until SIGINT or SIGTERM;
/// then stops every runtime's server gracefully. `on_listening` runs once,
/// on runtime 0, after `listening on ADDR` (e.g. to print more). Returns
/// when every runtime has stopped; exits with status 1 if one cannot listen.
pub fn serve<S, F>(name: &'static str, options: Options, start: F)
where
    S: Stoppable + 'static,
    F: Fn(&str) -> io::Result<S> + Send + Sync + 'static,
{
    init_logging();
    if options.metrics {
        silly::metrics::enable();
    }
    let others = options.threads - 1;
    // Runtime 0 -> runtime i: the address to bind, then the order to stop.
    let (to_others, from_zero): (Vec<_>, Vec<_>) =
        (0..others).map(|_| remote::channel::<Order>()).unzip();
    let from_zero: Vec<_> = from_zero
        .into_iter()
        .map(|rx| Mutex::new(Some(rx)))
        .collect();
    // Runtime i -> runtime 0: whether it could listen.
    let (ready_tx, ready_rx) = remote::channel::<Result<(), String>>();
    let ready_rx = Mutex::new(Some(ready_rx));
    let shared = Arc::new((to_others, from_zero, ready_tx, ready_rx));
    silly::Builder::new()
        .threads(options.threads)
        .run_each(move || {
            let (to_others, from_zero, ready_tx, ready_rx) = &*shared;
            let index = silly::runtime_index();
            if index == 0 {
                let ready_rx = ready_rx
                    .lock()
                    .unwrap()
                    .take()
                    .expect("runtime 0 runs once");
                lead(name, &options, &start, to_others, &ready_rx);
            } else {
                let orders = from_zero[index - 1]
                    .lock()
                    .unwrap()
                    .take()
                    .expect("each runtime runs once");
                follow(&start, options.grace, &orders, ready_tx);
            }
        });
}

/// What runtime 0 tells the others.
enum Order {
    Bind(String),
    Stop,
}

fn lead<S: Stoppable, F: Fn(&str) -> io::Result<S>>(
    name: &str,
    options: &Options,
    start: &F,
    others: &[remote::Sender<Order>],
    ready: &remote::Receiver<Result<(), String>>,
) {
    let server = match start(&options.addr) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("{name}: cannot listen on {}: {err}", options.addr);
            silly::exit(1);
        }
    };
    let addr = server.tcp().local_addr();
    for other in others {
        let _ = other.send(Order::Bind(addr.to_string()));
    }
    for _ in others {
        if let Ok(Err(err)) | Err(err) = ready.recv().map_err(|e| e.to_string()) {
            eprintln!("{name}: another runtime cannot listen on {addr}: {err}");
            silly::exit(1);
        }
    }
    say(format_args!("listening on {addr}"));
    match signal::wait(&[Signal::Term, Signal::Int]) {
        Ok(got) => log::info!("{got:?}: shutting down"),
        Err(err) => log::error!("cannot wait for signals ({err}): shutting down"),
    }
    say(format_args!("shutting down"));
    for other in others {
        let _ = other.send(Order::Stop);
    }
    stop(&server, options.grace);
}

fn follow<S: Stoppable, F: Fn(&str) -> io::Result<S>>(
    start: &F,
    grace: Duration,
    orders: &remote::Receiver<Order>,
    ready: &remote::Sender<Result<(), String>>,
) {
    let Ok(Order::Bind(addr)) = orders.recv() else {
        return;
    };
    let server = match start(&addr) {
        Ok(server) => server,
        Err(err) => {
            let _ = ready.send(Err(err.to_string()));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    // Any message, or runtime 0 gone, means stop.
    let _ = orders.recv();
    stop(&server, grace);
}

fn stop<S: Stoppable>(server: &S, grace: Duration) {
    let report = server.tcp().shutdown(grace);
    log::info!(
        "runtime {}: {} connections finished, {} closed at the deadline, {} upgraded asked to close",
        silly::runtime_index(),
        report.finished,
        report.forced,
        report.notified
    );
}
