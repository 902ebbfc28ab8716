//! silly-rs networking on the coroutine runtime: blocking-style sockets whose
//! calls suspend the calling coroutine, not the thread.
//!
//! * [`tcp`]: listeners (`tcp::listen` with a coroutine per connection, or
//!   `TcpListener::accept`) and streams that implement `std::io::{Read, Write, BufRead}`.
//! * [`tls`]: the same over TLS with rustls (`tls::listen`, `tls::connect`,
//!   `TlsStream`): certificates verified by default, SNI, ALPN, a bounded handshake;
//!   mutual TLS, certificate resolvers (ACME) and any other rustls setting
//!   through a rustls config of your own (`ServerConfig::from_rustls`,
//!   `ClientConfig::from_rustls`, `TlsStream::peer_certificates`).
//!   Each TCP call has its TLS twin (`tcp::listen_graceful` and
//!   `tls::listen_graceful`, the timeouts and `nodelay` of both streams).
//! * [`http`]: an HTTP/1.1 server (`http::listen`, a handler per request) and a
//!   client with a keep-alive pool (`http::get`, `http::Client`), over TCP or TLS;
//!   an [`http::Router`] with path patterns and middleware.
//! * [`dns`]: silly-style addresses (`":8080"`, `"127.0.0.1:80"`, `"[::1]:80"`,
//!   `"localhost:80"`) and name resolution that does not block the loop.
//! * [`Conn`]: a connection that is either TCP or TLS, as the HTTP server
//!   accepts it and a WebSocket takes it over.
//!
//! [`TcpStream`](tcp::TcpStream), [`TlsStream`](tls::TlsStream) and [`Conn`]
//! can be waited on with [`sync::Select`](silly_runtime::sync::Select), with
//! channels and other sockets: each is ready when a read would find data, the
//! bytes it already holds (buffered, or decrypted by TLS) counted.
//!
//! ## Graceful shutdown
//!
//! Every server handle ([`tcp::Server`], and through `Deref` the TLS and
//! HTTP ones) has `shutdown(grace)`: the listener closes at once, handlers see
//! it through a [`ShutdownToken`](tcp::ShutdownToken) (given to the handlers
//! of [`tcp::listen_graceful`] and [`tls::listen_graceful`]), idle keep-alive
//! connections close, upgraded ones (WebSockets) are asked to close, and what
//! is left at the deadline is cancelled; a
//! [`ShutdownReport`](tcp::ShutdownReport) says what happened. TLS servers
//! replace their certificates with `reload_tls`.
//!
//! ## Connections per client address
//!
//! Every server handle can cap the connections one client address holds
//! open at once ([`tcp::Server::set_max_connections_per_ip`], reached
//! through `Deref` from the TLS and HTTP servers; for HTTP, HTTPS and the
//! WebSockets they upgrade, [`http::Limits::max_connections_per_ip`]). Off
//! by default, at no cost; on, a connection past it is closed as it is
//! accepted (a plain-HTTP client gets `429` first) and counted, per server
//! ([`tcp::Server::refused_connections`]) and per runtime
//! ([`tcp::refused_connections`]).
//!
//! ## Features and dependencies
//!
//! Off by default: `json` turns on `http::Stream::read_json`, `reply_json`
//! and `http::JsonError` (dependencies `serde` and `serde_json`: the serde
//! data model is what Rust users' types already implement); `cookies` turns
//! on `http::Stream::cookie`, `cookies`, `set_cookie` and re-exports
//! `http::Cookie` (dependency `cookie`: RFC 6265 parsing and every
//! `Set-Cookie` attribute, the crate Rocket and axum-extra use). Always on,
//! for [`http::ServeDir`]: `httpdate` (`If-Modified-Since` and `If-Range`
//! dates in all three HTTP-date formats a client may send) and, for it and
//! [`http::Router`], `percent-encoding` (each path segment decoded on its
//! own, so `%2f` never becomes a separator; the router compares and decodes
//! without allocating; already in the tree through `url`).
//!
//! ## Diagnostics
//!
//! Dependency `log`: the crate's own messages (accept errors and the back-off
//! after them at warn level, failed TLS handshakes at debug level) go
//! through the `log` facade, so the application routes them to its logger
//! (env_logger, tracing via tracing-log, journald); without one they are
//! dropped.
//!
//! ## Read timeouts
//!
//! A stream's read timeout (`set_read_timeout`, on [`TcpStream`](tcp::TcpStream),
//! [`TlsStream`](tls::TlsStream) and [`Conn`]) bounds each whole read call:
//! `read`, `read_exact`, `read_until`, `read_line`, `fill_buf`, and their
//! `std::io::{Read, BufRead}` forms. The deadline is fixed when the call starts,
//! however many times the call then waits for the peer, so a peer that sends a
//! byte now and then cannot hold a `read_line` past it. On expiry the call
//! returns `ErrorKind::TimedOut` and the stream stays usable, nothing lost:
//! `read_until` and `read_line` keep the bytes read so far in their output (as
//! `std` does), `read_exact` keeps them in the stream, where the next read
//! finds them. Loops over calls, such as `Read::read_to_end`, get the timeout
//! per call. [`Conn::read_into`] and [`Conn::read_with`] take their deadline
//! as an argument instead.
//!
//! Every timeout of this crate's TCP and TLS calls (read, write, connect,
//! handshake) is an `Option<Duration>`: `None` is no limit, and so is a
//! timeout too long for the clock (`Duration::MAX`); each becomes a deadline
//! through [`silly_runtime::time::deadline`].
//!
//! ```
//! use silly_net::tcp::{self, TcpStream};
//!
//! silly_runtime::run(|| {
//!     let server = tcp::listen("127.0.0.1:0", |conn| {
//!         let mut line = String::new();
//!         conn.read_line(&mut line).unwrap();
//!         conn.write_all(line.to_uppercase().as_bytes()).unwrap();
//!     })
//!     .unwrap();
//!     let client = TcpStream::connect(server.local_addr()).unwrap();
//!     client.write_all(b"hello\n").unwrap();
//!     let mut reply = String::new();
//!     client.read_line(&mut reply).unwrap();
//!     assert_eq!(reply, "HELLO\n");
//!     server.close();
//! });
//! ```
//!
//! ## Interrupts
//!
//! `time::timeout`, `Task::cancel`, `Select` and server shutdown stop a
//! blocking call where it suspends: the call does not return, its coroutine
//! is unwound. Each call below says what that leaves (its `# Interrupts`
//! section says why):
//!
//! * **whole**: nothing read is lost, nothing is sent twice or torn; the next
//!   call goes on. A read cut midway puts the bytes it had taken back in the
//!   stream's buffer, so the next read returns them.
//! * **closed**: the socket is shut at once (the peer sees the connection
//!   end, never a torn message followed by other bytes), every later write
//!   fails with `BrokenPipe` ("an interrupted write left a partial write"),
//!   reads fail once the bytes that had arrived are read, and `is_closed()`
//!   is true. A write is closed only when the interrupt came after part of
//!   its buffer went out; cut before that, it is whole. The write timeout
//!   and write errors close the stream the same way.
//!
//! ### TCP and TLS streams
//!
//! | Call ([`TcpStream`](tcp::TcpStream), [`TlsStream`](tls::TlsStream)) | Interrupted |
//! |---|---|
//! | `read`, `Read::read` | whole |
//! | `read_exact`, `Read::read_exact` | whole (bytes read go back to the stream) |
//! | `read_until`, `BufRead::read_until` | whole (`out` as it was, bytes back in the stream) |
//! | `read_line`, `BufRead::read_line` | whole (as `read_until`) |
//! | `BufRead::fill_buf` | whole |
//! | `Read::read_to_end`, `read_to_string` (`std`'s loops over `read`) | each `read` whole; what came before the cut is in the caller's buffer |
//! | `wait_readable` | whole (TCP reads nothing; TLS keeps what it decrypted in the stream) |
//! | `TcpStream::write`, `Write::write` | whole (one `write(2)`: nothing went out) |
//! | `TlsStream::write`, `Write::write` | as `write_all` |
//! | `write_all`, `Write::write_all` | closed if part of the buffer went out, else whole |
//! | `write_all_vectored` | closed if part of the buffers went out, else whole |
//! | `flush`, `TcpStream::shutdown` | never suspend |
//! | `TlsStream::shutdown`, `TlsStream::close` | closed (shut at once, without close_notify) |
//! | `TlsStream::handshake` | whole (the next call goes on with the handshake) |
//! | `TcpStream::connect`, `connect_timeout`, `tls::connect` | nothing is left: the half-made stream closes |
//!
//! TLS writes are not whole because rustls cannot take back records it has
//! encrypted; records already encrypted (alerts, handshake messages, earlier
//! writes) are always finished before other bytes go out.
//!
//! ### Listeners, servers and names
//!
//! | Call | Interrupted |
//! |---|---|
//! | `TcpListener::accept`, `TlsListener::accept` | whole (the connection stays queued) |
//! | `bind`, `tcp::listen`, `tls::listen`, `listen_graceful` | nothing is left (only the name lookup suspends) |
//! | [`dns::resolve`], `Addr::resolve` | nothing is lost (the lookup ends in its thread, its answer dropped) |
//! | `ShutdownToken::wait`, `wait_until` | whole |
//! | `Server::shutdown` | shutdown stays begun; the connections left are not cancelled; call it again |
//!
//! ### Conn
//!
//! | Call ([`Conn`]) | Interrupted |
//! |---|---|
//! | `read` | whole |
//! | `read_into`, `read_with` | whole (they wait holding nothing) |
//! | `write_all`, `write_all_vectored` | closed if part went out, else whole |
//! | `shutdown` | closed |
//!
//! ### HTTP
//!
//! | Call | Interrupted |
//! |---|---|
//! | [`Stream::read`](http::Stream::read) | whole: the body's decoder, chunk framing included, keeps its place in the stream |
//! | [`Stream::read_all`](http::Stream::read_all) | whole: the bytes read so far stay in the stream; the next `read_all` or `read` returns them first |
//! | [`Stream::respond`](http::Stream::respond), [`write`](http::Stream::write), [`close`](http::Stream::close), [`reply`](http::Stream::reply) | closed: a torn response cannot be finished, so the connection is shut (the client sees the response end early, never another one's bytes in it); later calls fail with "an interrupted write left a partial message", [`Stream::is_closed`](http::Stream::is_closed) |
//! | [`Stream::upgrade`](http::Stream::upgrade) | closed: the connection is dropped, not handed over |
//! | [`ServeDir::serve`](http::ServeDir::serve), [`serve_path`](http::ServeDir::serve_path) | closed once the head is sent: the body is left shorter than its Content-Length and the connection closes after the handler; cut before, nothing was sent |
//! | `Stream::read_json`, `read_json_limit` (feature `json`) | whole, as `read_all` |
//! | `Stream::reply_json`, `JsonError::respond` (feature `json`) | closed, as `reply` |
//! | [`Router::serve`](http::Router::serve), [`Next::run`](http::Next::run) | as the calls of the handler and middleware they run: routing itself never waits |
//! | a handler cancelled, or cut by shutdown's deadline | closed: its connection is dropped with its coroutine |
//! | [`http::get`], [`post`](http::post), [`request`](http::request), [`Client::get`](http::Client::get), [`post`](http::Client::post), [`request`](http::Client::request), [`upgrade`](http::Client::upgrade), [`RequestBuilder::send`](http::RequestBuilder::send) | closed for that request, whole for the client: the request's connection is dropped, never pooled; the next request goes on another connection |
//! | [`Client::send`](http::Client::send), [`RequestBuilder::send_streaming`](http::RequestBuilder::send_streaming) | as `request` until the response head; then the reader's reads |
//! | [`ResponseReader::read`](http::ResponseReader::read), [`read_all`](http::ResponseReader::read_all) | whole: decoder state and the bytes read so far live in the reader; a reader dropped before the end closes its connection |
//!
//! HTTP writes are closed rather than whole because a response (or request)
//! half sent has already told the peer how long it is: nothing else may go
//! out on that connection before its rest, and after an interrupt nobody is
//! left to send it.

#![forbid(unsafe_code)]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind `json`
// and `cookies` say so.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use self::conn::Conn;

mod conn;
pub mod dns;
pub mod http;
pub mod metrics;
mod read_buf;
pub mod tcp;
pub mod tls;

#[cfg(fuzzing)]
pub mod fuzzing;
