//! WebSocket (RFC 6455) for silly-rs: the server side upgrades an HTTP request
//! ([`upgrade`]), the client side connects to `ws://` and `wss://` URLs
//! ([`connect`]). Both give a [`Socket`] with blocking-style `read` and `write`
//! that suspend the calling coroutine; [`Socket::read_message`] reads a
//! [`Message`], text as a `String` (already checked as UTF-8). Settings are
//! a [`Config`] built with its setters.
//!
//! Follows silly's `silly.net.websocket` API, and the RFC beyond it: strict
//! framing checks (reserved bits and opcodes, masking direction, control frame
//! limits, fragment order), UTF-8 checked as it arrives, close codes checked and
//! echoed, a close handshake with a timeout, size limits with safe defaults, and
//! no unbounded write queue.
//!
//! Server sockets close with 1001 Going Away when their HTTP server shuts
//! down gracefully ([`Config::shutdown_close_code`] to change it). Dependency
//! `log`: a connection failed for a protocol violation is logged at debug
//! level, through the application's logger.
//!
//! permessage-deflate (RFC 7692) is negotiated when [`Config::compression`]
//! is set ([`Compression`]): shared contexts (no memory per connection) or
//! per-connection ones, a threshold below which messages go uncompressed, and
//! [`PreparedMessage`] to compress a broadcast once. The codec is `flate2`
//! on its `zlib-rs` backend: pure Rust (no C), and a zlib, which the window
//! sizes of the negotiation need (the default miniz_oxide backend ignores
//! them).
//!
//! ```no_run
//! use silly_websocket::{connect, FrameType};
//!
//! silly_runtime::run(|| {
//!     let sock = connect("ws://127.0.0.1:8080", &[]).expect("connect");
//!     sock.write(b"Hello, Server!", FrameType::Text).unwrap();
//!     if let Ok((data, FrameType::Text)) = sock.read() {
//!         println!("received {}", String::from_utf8_lossy(&data));
//!     }
//!     sock.close().unwrap();
//! });
//! ```

#![forbid(unsafe_code)]

mod close;
mod config;
mod connect;
mod deflate;
mod error;
mod frame;
mod handshake;
mod hub;
mod mask;
mod message;
mod random;
mod rules;
mod socket;
mod upgrade;
mod utf8;

#[cfg(test)]
mod properties;

#[cfg(fuzzing)]
pub mod fuzzing;

pub use self::close::{code, is_valid_close_code};
pub use self::config::{Config, OriginCheck, MAX_TIMEOUT, MIN_FRAME_SIZE};
pub use self::connect::{connect, connect_with};
pub use self::deflate::{Compression, ContextMode, PreparedMessage};
pub use self::error::{Error, Result};
pub use self::frame::FrameType;
pub use self::handshake::accept_key;
pub use self::hub::{
    Backplane, Hub, HubConfig, HubStats, SlowPolicy, DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES,
};
pub use self::message::Message;
pub use self::socket::{HandshakeInfo, Socket};
pub use self::upgrade::{upgrade, upgrade_with};
