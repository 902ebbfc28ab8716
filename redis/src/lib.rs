//! A Redis client for silly-rs: blocking-style commands that suspend the
//! calling coroutine, not the thread.
//!
//! * [`connect`] / [`Connection`]: one connection, `redis://` over TCP or
//!   `rediss://` over TLS, `AUTH` and `SELECT` from the URL, commands with
//!   [`cmd`] or the shorthands ([`get`](Connection::get),
//!   [`set`](Connection::set), [`incr`](Connection::incr),
//!   [`publish`](Connection::publish)...), replies as [`Value`] or converted
//!   with [`FromValue`].
//! * [`Pipeline`]: many commands in one write, replies in order.
//! * [`Pool`]: connections shared by the coroutines of a runtime, bounded,
//!   reopened after failures with a capped back-off.
//! * [`Subscriber`]: pub/sub, read in a loop by a coroutine, resubscribed
//!   after a reconnection.
//! * [`Config`]: the URL's fields, timeouts and limits, with defaults.
//! * `HubBackplane` (feature `hub`, on in the `silly` facade): a
//!   `silly_websocket::Hub`'s topics shared across nodes through pub/sub,
//!   at most once, never suspending a publisher.
//!
//! Failures are an [`Error`]: a dropped connection fails the command in
//! flight (no hang: replies are awaited at most
//! [`Config::read_timeout`]), an error reply is [`Error::Server`] with its
//! kind (`WRONGPASS`, `WRONGTYPE`...).
//!
//! ```no_run
//! use silly_redis::{cmd, Value};
//!
//! silly_runtime::run(|| {
//!     let mut conn = silly_redis::connect("redis://127.0.0.1:6379/0").unwrap();
//!     conn.set("greeting", b"hello\x00world").unwrap();
//!     let got: Option<Vec<u8>> = conn.get("greeting").unwrap();
//!     assert_eq!(got.as_deref(), Some(&b"hello\x00world"[..]));
//!     let n: i64 = conn.query(&cmd("INCRBY").arg("hits").arg(5)).unwrap();
//!     assert!(n >= 5);
//!     let missing = conn.req(&cmd("GET").arg("no such key")).unwrap();
//!     assert_eq!(missing, Value::Nil);
//! });
//! ```
//!
//! ## Dependencies
//!
//! * `redis-protocol` (no `bytes`, no Tokio codec; its RESP2 module is used): RESP
//!   decoding and command encoding. A maintained codec that does no I/O, so
//!   it fits a blocking-style client; the crate has no hand-written RESP
//!   parser. (The `redis` crate's parser comes with its own connection and
//!   async runtime layers, which this client replaces.)
//! * `url` and `percent-encoding`: `redis://` URLs and their encoded user
//!   and password.
//! * `log`: reconnection attempts of the pool and the subscriber, at debug
//!   level.
//!
//! ## Limits
//!
//! RESP2 only (no `HELLO 3`); no cluster, sentinel or unix sockets. A reply
//! is decoded once whole, so the largest one held is bounded by
//! [`Config::max_reply_size`]. The server is trusted not to nest arrays
//! thousands deep: the decoder recurses once per level, on the coroutine's
//! stack (Redis's own replies nest a few levels).

#![forbid(unsafe_code)]

pub use self::cmd::{cmd, Cmd, ToArg};
pub use self::config::{
    Config, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REPLY_DEPTH, DEFAULT_MAX_REPLY_SIZE, DEFAULT_PORT,
    DEFAULT_READ_TIMEOUT, MAX_DURATION, MAX_REPLY_DEPTH,
};
pub use self::connection::{connect, Connection, Pipeline};
pub use self::error::{Error, Result, ServerError};
#[cfg(feature = "hub")]
pub use self::hub::{
    BackplaneConfig, BackplaneStats, HubBackplane, DEFAULT_MAX_OUTBOX, DEFAULT_MAX_OUTBOX_BYTES,
    DEFAULT_PREFIX,
};
pub use self::pool::{Pool, PooledConnection};
pub use self::pubsub::{Event, Message, Subscriber};
pub use self::value::{FromValue, Value};

mod backoff;
mod cmd;
mod commands;
mod config;
mod connection;
mod error;
#[cfg(feature = "hub")]
mod hub;
mod pool;
mod pubsub;
mod reply;
mod value;
