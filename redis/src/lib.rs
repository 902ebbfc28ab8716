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
//! ## Interrupts
//!
//! `time::timeout`, `Task::cancel`, `Select` and shutdown stop a coroutine
//! where it waits, by unwinding it. What each blocking call leaves behind:
//! **whole** (nothing is lost or torn, the next call goes on) or **closed**
//! (the socket is shut at once, later calls fail with an error that says
//! why, `is_closed()` says so).
//!
//! | call | interrupted | state |
//! | --- | --- | --- |
//! | [`Connection::open`], [`connect`] | anywhere | nothing kept: the connection being opened is dropped |
//! | [`Connection::req`], [`query`](Connection::query) and the shorthands ([`get`](Connection::get), [`set`](Connection::set)...) | waiting for the reply | **whole**: the reply is owed, and the next command reads and drops it before its own ([`Connection::owed_replies`]) |
//! | the same | writing the command | **closed**: a torn command must not be followed by the next one's bytes, and how much went out is not known; later commands fail with [`Error::Interrupted`] |
//! | [`Pipeline::query`] | reading the replies / writing | as `req`: **whole** / **closed** |
//! | [`Pool::get`] | waiting for a connection or opening one | **whole**: the permit goes back, a connection being opened is dropped |
//! | a [`PooledConnection`]'s commands | as `req` | as `req`; dropping it gives a whole connection back (owed replies and all) and closes a closed one: a pool never lends a closed connection |
//! | [`Subscriber::next_message`], [`next_event`](Subscriber::next_event), [`next_message_timeout`](Subscriber::next_message_timeout) | waiting | **whole**: messages stay queued for the next call |
//! | [`Subscriber::subscribe`] and the other changes | waiting for the confirmation | **whole**: the change is recorded and sent; it takes effect when the server confirms it |
//! | the same | writing the command | the subscriber's connection is **closed**; the subscriber reconnects and subscribes again to every channel and pattern it had, the interrupted change included |
//! | `HubBackplane` publishing (`Hub::publish`) | — | never waits: it queues for the backplane's own coroutine, whose pipeline is a [`Pipeline::query`] |
//!
//! A read timeout ([`Config::read_timeout`]) is not an interrupt: a server
//! that did not answer in time is taken as gone, and the connection is
//! closed ([`Error::Timeout`]).
//!
//! ## Dependencies
//!
//! * `redis-protocol` (no `bytes`, no Tokio codec; its RESP2 module is
//!   used): command encoding. Replies are decoded by this crate's own small
//!   RESP2 decoder (`reply.rs`), iterative and resumable: the crate's
//!   decoder recurses once per nested array (a hostile reply nested 100,000
//!   deep overflowed the coroutine's stack) and parses a reply again from
//!   its start on every read.
//! * `url` and `percent-encoding`: `redis://` URLs and their encoded user
//!   and password (`url::ParseError` is public: the source of
//!   [`UrlError::Parse`]).
//! * `log`: reconnection attempts of the pool and the subscriber, at debug
//!   level.
//!
//! ## Limits
//!
//! RESP2 only (no `HELLO 3`); no cluster, sentinel or unix sockets. A reply
//! is decoded as it arrives and held whole, so the largest one held is
//! bounded by [`Config::max_reply_bytes`], checked against every length a
//! reply announces before anything is allocated for it; replies nested
//! deeper than [`Config::max_reply_depth`] are refused. Either is an
//! [`Error::Protocol`] that closes the connection.

#![forbid(unsafe_code)]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind `hub` say so.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use self::cmd::{cmd, Cmd, ToArg};
pub use self::config::{
    Config, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES, DEFAULT_MAX_REPLY_DEPTH,
    DEFAULT_POOL_TIMEOUT, DEFAULT_PORT, DEFAULT_READ_TIMEOUT, MAX_REPLY_DEPTH,
};
pub use self::connection::{connect, Connection, Pipeline};
pub use self::error::{Error, ProtocolError, Result, ServerError, UrlError};
#[cfg(feature = "hub")]
#[cfg_attr(docsrs, doc(cfg(feature = "hub")))]
pub use self::hub::{
    BackplaneConfig, BackplaneStats, HubBackplane, DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES,
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
#[cfg(fuzzing)]
pub mod fuzzing;
#[cfg(feature = "hub")]
mod hub;
pub mod metrics;
mod pool;
mod pubsub;
mod reply;
mod value;
