//! silly-rs: a single-threaded server framework in the style of silly.
//!
//! Stackful coroutines on a mio event loop, and blocking-style code: a socket
//! read suspends the coroutine, not the thread. No `async`, no `await`, no `Send`.
//!
//! ```no_run
//! use silly::net::tcp;
//!
//! silly::run(|| {
//!     let server = tcp::listen("127.0.0.1:8080", |conn| {
//!         let mut buf = [0u8; 4096];
//!         while let Ok(n) = conn.read(&mut buf) {
//!             if n == 0 || conn.write_all(&buf[..n]).is_err() {
//!                 break;
//!             }
//!         }
//!     })
//!     .expect("listen");
//!     println!("listening on {}", server.local_addr());
//!     silly::task::park(); // serve until the process is killed
//! });
//! ```
//!
//! The crates behind the facade: `silly-runtime` (coroutines, scheduler,
//! reactor, timers, sync: [`run`], [`task`], [`time`], [`sync`], [`io`]),
//! `silly-net` (tcp, tls, http, dns: [`net`]), `silly-websocket`
//! ([`net::websocket`]) and `silly-redis` ([`redis`]). [`metrics`] sums
//! their counters over every runtime and serves them to Prometheus.
//!
//! # Cargo features
//!
//! * `metrics` (on by default): the Prometheus exporter
//!   ([`metrics::handler`]), encoded by `prometheus-client`, the Prometheus
//!   project's Rust client (so the exposition format is theirs, not ours).
//!   The counters themselves are kept with or without it.
//! * `json` (off by default, forwarded to `silly-net`): `Stream::read_json`,
//!   `reply_json` and `JsonError` in [`net::http`], on serde and serde_json.
//! * `cookies` (off by default, forwarded to `silly-net`): `Stream::cookie`,
//!   `cookies`, `set_cookie`, and the `cookie` crate's `Cookie`.

// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind
// `metrics` say so.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use silly_runtime::{
    config, current_runtime, exit, io, run, runtime_index, runtime_local, runtimes, signal, stats,
    stats_all, sync, task, time, Builder, RuntimeHandle, StackGuards, Stats, DEFAULT_STACK_SIZE,
};

/// Networking: TCP, TLS (rustls), HTTP/1.1 server and client, DNS, and
/// WebSocket ([`websocket`](crate::net::websocket)).
pub mod net {
    pub use silly_net::*;
    pub use silly_websocket as websocket;
}

pub mod metrics;

/// A Redis client: connections, pipelines, a pool and pub/sub
/// (`silly-redis`).
pub use silly_redis as redis;

/// README.md's Rust snippets, compiled by `cargo test --doc` like every
/// other doc example, so the front page cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
