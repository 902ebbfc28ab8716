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
//! ## Liveness
//!
//! A peer can vanish without closing TCP (a laptop shut, a phone out of
//! range, a NAT that forgot the connection): its socket would wait for
//! ever. With [`Config::ping_interval`] (client and server alike) a socket
//! pings a peer it has heard nothing from for that long, and ends one that
//! then sends nothing within [`Config::ping_timeout`] (default 20 s): a
//! close frame with 1011 goes out if the socket takes it at once (plain
//! TCP, no writer holding the wire), then TCP is shut. A `read` blocked
//! meanwhile wakes and returns [`Error::PingTimeout`]
//! ([`is_timeout`](Error::is_timeout)), later calls too, and
//! [`Socket::is_closed`] is true; [`stats`] counts pings sent and peers
//! dropped.
//!
//! Why 1011 (Internal Error): RFC 6455, section 7.4.1 has no code for a
//! silent peer. 1001 (Going Away) says that the sender goes away (a server
//! shutting down sends it: [`Config::shutdown_close_code`]), 1008 (Policy
//! Violation) blames a message received, while 1011 says the connection
//! ended on "an unexpected condition", and is what Python `websockets`
//! sends, from either side, when its keepalive ping goes unanswered.
//!
//! Heard means read: the peer's pong reaches the socket through `read`,
//! so keep a coroutine in `read` (as a socket needs anyway, for close
//! frames). Bytes that wait unread in the kernel count too (the
//! application is behind, not the peer): they are looked for before a
//! peer is dropped. Cost: nothing per message when off (a branch on an
//! empty field); when on, each read stamps the loop's cached clock
//! ([`loop_now`](silly_runtime::time::loop_now), no system call), and one
//! timer per socket fires once per interval (a short coroutine of its own)
//! and looks at the stamp: it is never re-armed per message.
//!
//! ## Limits
//!
//! Sizes: [`Config::max_frame_bytes`] and [`Config::max_message_bytes`]
//! (1009 past them). Rate: [`Config::max_messages_per_second`] (off by
//! default) gives each connection a token bucket of a second's worth of
//! messages (data messages, pings and pongs); a peer past it is failed with
//! 1008 and the reason "too many messages per second", its `read` returns
//! [`Error::Protocol`] with that code, and [`stats`] counts it. The check
//! reads the loop's cached clock, no system call.
//!
//! Fan-out: a [`Hub`] sends a message published to a topic to every
//! subscribed socket of its runtime, framed once; a [`RuntimeBackplane`]
//! links the hubs of a process's runtimes, bounded.
//!
//! ## Interrupts
//!
//! `time::timeout`, `Task::cancel`, `Select` and shutdown stop a coroutine
//! where it waits and unwind it. What each blocking call leaves then:
//! **whole** (nothing read is lost, nothing sent twice or torn; the next
//! call goes on) or **closed** (the connection ended at once, the peer sees
//! it end, never a torn frame; later calls fail with [`Error::Aborted`]
//! saying why, and [`Socket::is_closed`] is true).
//!
//! | Call | Cut short |
//! |---|---|
//! | [`Socket::read`], [`Socket::read_message`] | whole: the frame being read (header, payload so far), earlier fragments, inflater and UTF-8 state stay in the socket; the next read goes on |
//! | [`Socket::write`], [`Socket::write_prepared`] over `ws://` | whole: a message none of which went out is not sent (a compressed one is, whole: its compressor moved on); one begun goes out whole, its rest kept by the socket and sent before any other byte |
//! | [`Socket::write`], [`Socket::write_prepared`] over `wss://` | closed if cut while the TLS layer sends (it gives no count of what went out); whole if cut waiting for its turn |
//! | [`Socket::flush`] | whole: what is left stays for the next call |
//! | [`Socket::close`], [`Socket::close_with`] | closed: the handshake cannot be resumed by another call, and the caller wanted it over |
//! | [`Socket::abort`] | never suspends (it closes at once, by design) |
//! | [`connect`], [`connect_with`] | nothing left: the connection being opened is dropped |
//! | [`upgrade`], [`upgrade_with`] | closed: the HTTP server closes the connection of a handler cut short |
//! | [`Hub::publish`], [`Hub::deliver`] | never suspend; the hub's writer coroutines end a connection only if unwound mid-frame (runtime shutdown) |
//! | [`RuntimeBackplane::attach`] | never suspends; its coroutines send and deliver whole batches, and suspend only between them |
//! | keepalive ([`Config::ping_interval`]) | no call of yours: the socket's timer coroutine sends a ping as a pong is sent (whole over TCP, the rest owed if cut; over TLS a cut closes); [`is_upgrade_request`] and [`stats`] never suspend |
//!
//! The read and write timeouts of [`Config`] leave the same as an interrupt
//! (and return `Error::Io` with `TimedOut`: [`Error::is_timeout`]). Each
//! row holds whichever clone of a [`Socket`] the call used (see
//! [one socket, several coroutines](Socket#one-socket-several-coroutines)). A reset or a socket error
//! closes the socket. While a writer is stuck, what waits for it is bounded:
//! one pong (for the latest ping, RFC 6455 section 5.5.3) and one close
//! frame; the rest of a cut message is at most that message.
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
pub mod metrics;
mod random;
mod rules;
mod runtime_backplane;
mod socket;
mod stats;
mod upgrade;
mod utf8;

#[cfg(test)]
mod properties;

#[cfg(fuzzing)]
pub mod fuzzing;

pub use self::close::{code, is_valid_close_code};
pub use self::config::{Config, OriginCheck, MIN_FRAME_BYTES};
pub use self::connect::{connect, connect_with};
pub use self::deflate::{Compression, ContextMode, PreparedMessage};
pub use self::error::{Error, Rejection, Result, MAX_REJECTION_BODY_BYTES};
pub use self::frame::FrameType;
pub use self::handshake::accept_key;
pub use self::hub::{
    Backplane, Hub, HubConfig, HubStats, SlowPolicy, DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES,
};
pub use self::message::Message;
pub use self::runtime_backplane::{
    RuntimeBackplane, RuntimeBackplaneConfig, RuntimeBackplaneStats,
};
pub use self::socket::{HandshakeInfo, Socket};
pub use self::stats::{stats, SocketStats};
pub use self::upgrade::{is_upgrade_request, upgrade, upgrade_with};
