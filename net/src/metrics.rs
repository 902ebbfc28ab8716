//! What this crate counts for monitoring, per runtime (see
//! [`silly_runtime::metrics`]): connections, bytes, HTTP responses by
//! status and request latency. [`snapshot`] reads the calling runtime's
//! counts; `silly::metrics` sums every runtime's and exports them.
//!
//! ```
//! silly_runtime::run(|| {
//!     let before = silly_net::metrics::snapshot();
//!     let server = silly_net::http::listen("127.0.0.1:0", |s| {
//!         let _ = s.reply(404, &[], b"");
//!     })
//!     .unwrap();
//!     let url = format!("http://{}/", server.local_addr());
//!     let response = silly_net::http::get(&url).unwrap();
//!     assert_eq!(response.status, 404);
//!     let after = silly_net::metrics::snapshot();
//!     assert_eq!(after.http_responses.get(404) - before.http_responses.get(404), 1);
//! });
//! ```

use std::time::Instant;

use silly_runtime::metrics::{self, Counter, CountsByCode, Gauge, Histogram, HistogramSnapshot};

/// Status codes are three digits (the server refuses any other), so a
/// response is counted by indexing a fixed table: no hashing.
const STATUSES: usize = 1000;

thread_local! {
    static ACCEPTED: Counter = const { Counter::new() };
    static OPEN: Gauge = const { Gauge::new() };
    static REFUSED: Counter = const { Counter::new() };
    static BYTES_READ: Counter = const { Counter::new() };
    static BYTES_WRITTEN: Counter = const { Counter::new() };
    static RESPONSES: [Counter; STATUSES] = const { [const { Counter::new() }; STATUSES] };
    static REQUEST_TIME: Histogram = const { Histogram::new() };
}

/// The counts of the runtime that took it (see the [module](self)), summed
/// over runtimes with `+`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct NetMetrics {
    /// Connections `tcp::listen` (and so `tls::listen`, `http::listen`)
    /// accepted.
    pub connections_accepted: u64,
    /// Accepted connections whose handler has not returned yet.
    pub connections_open: i64,
    /// Connections the servers could not take (`accept` failed, out of file
    /// descriptors say) or turned away at once.
    pub connections_refused: u64,
    /// Bytes read from TCP sockets (TLS records included, so ciphertext).
    pub bytes_read: u64,
    /// Bytes written to TCP sockets.
    pub bytes_written: u64,
    /// HTTP server responses by status code.
    pub http_responses: CountsByCode,
    /// HTTP server request latency: from the start of the loop turn that
    /// read the request's head to the end of the turn in which its handler
    /// returned (precise to a loop turn, and no clock read per request).
    /// Empty until [`silly_runtime::metrics::enable`].
    pub http_request_duration: HistogramSnapshot,
}

impl std::ops::Add for NetMetrics {
    type Output = NetMetrics;

    fn add(self, other: NetMetrics) -> NetMetrics {
        NetMetrics {
            connections_accepted: self.connections_accepted + other.connections_accepted,
            connections_open: self.connections_open + other.connections_open,
            connections_refused: self.connections_refused + other.connections_refused,
            bytes_read: self.bytes_read + other.bytes_read,
            bytes_written: self.bytes_written + other.bytes_written,
            http_responses: self.http_responses + other.http_responses,
            http_request_duration: self.http_request_duration + other.http_request_duration,
        }
    }
}

/// The calling runtime's counts (each runtime is a thread: another
/// runtime's are read on its own thread, as `silly::metrics` does).
pub fn snapshot() -> NetMetrics {
    let http_responses = RESPONSES.with(|table| {
        table
            .iter()
            .enumerate()
            .filter(|(_, c)| c.get() > 0)
            .map(|(status, c)| (status as u16, c.get()))
            .collect::<Vec<_>>()
            .into()
    });
    NetMetrics {
        connections_accepted: ACCEPTED.with(Counter::get),
        connections_open: OPEN.with(Gauge::get),
        connections_refused: REFUSED.with(Counter::get),
        bytes_read: BYTES_READ.with(Counter::get),
        bytes_written: BYTES_WRITTEN.with(Counter::get),
        http_responses,
        http_request_duration: REQUEST_TIME.with(Histogram::snapshot),
    }
}

/// An accepted connection, counted open until dropped (however its handler
/// ends, an unwind included).
pub(crate) struct OpenConnection(());

impl OpenConnection {
    pub(crate) fn new() -> OpenConnection {
        ACCEPTED.with(|c| c.add(1));
        OPEN.with(|g| g.add(1));
        OpenConnection(())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        OPEN.with(|g| g.add(-1));
    }
}

/// A connection the server did not take.
pub(crate) fn refused() {
    REFUSED.with(|c| c.add(1));
}

/// `n` bytes read from a socket, from a read's result.
#[inline]
pub(crate) fn read<E>(result: &Result<usize, E>) {
    if let Ok(n) = result {
        BYTES_READ.with(|c| c.add(*n as u64));
    }
}

/// `n` bytes written to a socket, from a write's result.
#[inline]
pub(crate) fn written<E>(result: &Result<usize, E>) {
    if let Ok(n) = result {
        BYTES_WRITTEN.with(|c| c.add(*n as u64));
    }
}

/// An HTTP response with `status` (100..=999) begins.
#[inline]
pub(crate) fn response(status: u16) {
    RESPONSES.with(|table| {
        if let Some(c) = table.get(status as usize) {
            c.add(1);
        }
    });
}

/// When an HTTP request began, if latency is measured: the loop's clock for
/// this turn (no clock read of its own).
#[inline]
pub(crate) fn request_started() -> Option<Instant> {
    metrics::turn_start()
}

/// The handler of a request that began at `started` is done: timed to the
/// end of this turn, by which its response has gone out (its coroutine
/// flushes it when it next waits for the connection), without a clock read
/// of its own.
#[inline]
pub(crate) fn request_done(started: Option<Instant>) {
    metrics::observe_at_turn_end(&REQUEST_TIME, started);
}
