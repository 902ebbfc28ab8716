//! Metrics of the whole process, exported in the Prometheus text format:
//! mount [`handler`] at `/metrics`.
//!
//! ```no_run
//! use silly::net::http;
//!
//! silly::run(|| {
//!     let metrics = silly::metrics::handler();
//!     let _server = http::listen(":8080", move |s| match s.path() {
//!         "/metrics" => metrics(s),
//!         _ => {
//!             let _ = s.reply(200, &[], b"hello");
//!         }
//!     })
//!     .unwrap();
//!     silly::task::park();
//! });
//! ```
//!
//! # What is counted
//!
//! Every runtime counts on its own thread, with plain adds (no lock, no
//! atomic); a scrape asks each runtime of the process (those one
//! [`Builder`](crate::Builder) started: `--threads N` gives N) for its counts
//! on its own thread and sums them, as [`stats_all`](crate::stats_all)
//! does. The metrics, all named `silly_...`:
//!
//! | metric | type | what |
//! |---|---|---|
//! | `silly_runtimes` | gauge | runtimes summed |
//! | `silly_runtime_coroutines` | gauge | live coroutines (the scrape's own included: two on each other runtime) |
//! | `silly_runtime_ready_coroutines` | gauge | coroutines in the ready queues |
//! | `silly_runtime_blocking_calls` | gauge | `spawn_blocking` calls not yet returned |
//! | `silly_runtime_blocking_queue` | gauge | jobs waiting for a thread of the default blocking pool (process-wide) |
//! | `silly_runtime_loop_turn_seconds` | histogram | how long each loop turn kept its thread busy (poll to poll) |
//! | `silly_net_connections_open` | gauge | accepted connections whose handler runs |
//! | `silly_net_connections_accepted_total` | counter | connections accepted |
//! | `silly_net_connections_refused_total` | counter | connections not taken (`accept` failed) |
//! | `silly_net_read_bytes_total`, `silly_net_written_bytes_total` | counter | TCP bytes (TLS records included) |
//! | `silly_http_responses_total{code}` | counter | HTTP server responses by status code |
//! | `silly_http_request_duration_seconds` | histogram | HTTP request latency: from the start of the loop turn that read its head to the end of the turn in which its handler returned (precise to a turn) |
//! | `silly_websocket_sockets_open` | gauge | WebSocket sockets not yet dropped |
//! | `silly_websocket_messages_received_total`, `silly_websocket_received_bytes_total` | counter | text and binary messages read, and their bytes |
//! | `silly_websocket_messages_sent_total`, `silly_websocket_sent_bytes_total` | counter | messages sent with `Socket::write` / `write_prepared`, and their bytes |
//! | `silly_websocket_close_sent_total{code}`, `silly_websocket_close_received_total{code}` | counter | close frames by code (`1005`: none given; `other`: past the first 32 codes seen) |
//! | `silly_hub_topics`, `silly_hub_subscribers` | gauge | over every live [`Hub`](crate::net::websocket::Hub) |
//! | `silly_hub_published_total`, `silly_hub_frames_total` | counter | messages published to hubs, frames they wrote |
//! | `silly_hub_dropped_messages_total`, `silly_hub_dropped_clients_total` | counter | what hubs dropped for slow subscribers |
//! | `silly_redis_commands_total` | counter | Redis commands sent |
//! | `silly_redis_pool_gets_total`, `silly_redis_pool_waits_total` | counter | pool checkouts, and those that waited for a connection |
//! | `silly_redis_backplane_dropped_total` | counter | messages the Redis hub backplane dropped |
//!
//! # Cost
//!
//! Counting is always on and costs a few plain adds per request or message.
//! The histograms need a clock: they are filled only once timing is
//! [`enable`]d, which [`handler`] does when it is made. They take their
//! times from the loop's clock: one more clock read per loop turn, none per
//! request (a request is timed from the start of the turn that read it,
//! [`turn_start`], to the end of the turn that answered it,
//! [`observe_at_turn_end`]).
//!
//! # Format
//!
//! The text is encoded by `prometheus-client` (the Prometheus project's Rust
//! client; cargo feature `metrics`, on by default), in the Prometheus text
//! format version 0.0.4 ([`CONTENT_TYPE`]), which every Prometheus scraper and
//! parser reads. Without the feature, [`collect`] and the counters are still
//! there; only [`handler`], [`render`] and [`encode`] go.

mod collect;
#[cfg(feature = "metrics")]
mod export;

pub use self::collect::{collect, local, Metrics, RuntimeMetrics};
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use self::export::{encode, handler, render, CONTENT_TYPE};
pub use silly_runtime::metrics::{
    blocking_queue, enable, is_enabled, loop_turns, observe_at_turn_end, start, turn_start,
    Counter, CountsByCode, Gauge, Histogram, HistogramSnapshot, BUCKETS,
};
