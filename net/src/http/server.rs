//! `http::listen`: a coroutine per connection, requests answered in order.

use silly_runtime::{task, time};
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;

use super::body::Body;
use super::config::Config;
use super::head::{self, RequestHead};
use super::stream::Response;
use super::stream::Stream;
use super::wire::Wire;
use crate::conn::Conn;
use crate::dns::{Addr, ToAddr};
use crate::metrics;
use crate::tcp::{self, ShutdownToken};
use crate::tls::{self, CurrentConfig, ServerConfig, TlsError};
use silly_runtime::config::ConfigError;

/// Serves HTTP/1.1 (and 1.0) on `addr` with the default [`Config`] (plain
/// HTTP, default limits and timeouts): each connection runs in its own
/// coroutine, which reads requests one after the other (keep-alive,
/// pipelining) and calls `handler` for each. `addr` is what
/// [`tcp::listen`] takes (`":8080"`, `"127.0.0.1:0"`, a `SocketAddr`, ...).
///
/// ```
/// use silly_net::http;
/// use silly_net::tcp::TcpStream;
/// use std::io::Read;
///
/// silly_runtime::run(|| {
///     let server = http::listen("127.0.0.1:0", |s| {
///         s.reply(200, &[("Content-Type", "text/plain")], b"Hello, World!").unwrap();
///     })
///     .unwrap();
///     let mut conn = TcpStream::connect(server.local_addr()).unwrap();
///     conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
///     let mut reply = String::new();
///     conn.read_to_string(&mut reply).unwrap();
///     assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"));
///     assert!(reply.ends_with("\r\n\r\nHello, World!"));
///     server.close();
/// });
/// ```
///
/// Bad requests get their status and the connection is closed: malformed head
/// 400, head over the limit or too many headers 431, body over the limit 413,
/// conflicting framing (Content-Length with Transfer-Encoding, two lengths,
/// `chunked` not last) 400, unknown transfer coding 501, other HTTP versions
/// 505, a head not received within the timeout 408. A handler that panics or
/// returns without responding gives 500.
///
/// `Host` (RFC 9112, section 3.2): an HTTP/1.1 request without it, any
/// request with two `Host` lines, or one whose value is not a valid
/// `host[:port]` (RFC 9110, section 7.2) gets 400; HTTP/1.0 may omit it. A
/// request whose target is in absolute form (`GET http://example.com/a
/// HTTP/1.1`, as sent to proxies) is handled like `GET /a` with `Host:
/// example.com`: the target's authority replaces the `Host` header (section
/// 3.2.2), so [`Stream::path`] and [`Stream::header`] route it as any other.
///
/// # Shutdown
///
/// [`tcp::Server::shutdown`] (reached through `Deref` from [`Server`]) closes the
/// listener, then: a connection waiting for its next request is closed at
/// once; a request in progress completes and its response carries
/// `Connection: close`; a request that arrives as shutdown begins is either
/// answered that way or its connection closed before any byte of a response,
/// never cut in half. Handlers see shutdown through
/// [`Stream::is_shutting_down`] and [`Stream::shutdown_token`]; upgraded
/// connections that registered with
/// [`ShutdownToken::on_shutdown`](crate::tcp::ShutdownToken::on_shutdown)
/// (WebSockets do) are asked to close.
///
/// # Errors
///
/// Those of binding the listener.
pub fn listen<F>(addr: impl ToAddr, handler: F) -> io::Result<Server>
where
    F: Fn(&mut Stream) + 'static,
{
    listen_with(addr, Config::default(), handler)
}

/// [`listen`] with a [`Config`]: HTTPS, limits, timeouts.
///
/// ```no_run
/// use silly_net::http::{self, Config, Limits};
/// silly_runtime::run(|| {
///     let config = Config::default().limits(Limits::default().max_headers(20));
///     let _server = http::listen_with(":8080", config, |s| {
///         let _ = s.close(b"hi");
///     })
///     .unwrap();
///     silly_runtime::task::park();
/// });
/// ```
///
/// # Errors
///
/// An invalid config ([`Config::check`]) as `InvalidInput` with the
/// [`ConfigError`](silly_runtime::config::ConfigError) as its source, before
/// anything is bound; those of binding the listener.
pub fn listen_with<F>(addr: impl ToAddr, config: Config, handler: F) -> io::Result<Server>
where
    F: Fn(&mut Stream) + 'static,
{
    config.check()?;
    start(addr.to_addr()?, config, Box::new(handler))
}

/// [`listen_with`] past its generic arguments: one copy of the server's code
/// whatever the handler's type.
fn start(addr: Addr, config: Config, handler: Box<dyn Fn(&mut Stream)>) -> io::Result<Server> {
    let tls = config.tls.clone().map(CurrentConfig::new);
    let max_per_ip = config.limits.max_connections_per_ip;
    let service = Rc::new(Service { config, handler });
    let current_tls = tls.clone();
    let tcp = tcp::listen_graceful(addr, move |tcp, shutdown| {
        let service = service.clone();
        let Ok(remote) = tcp.peer_addr() else { return };
        tcp.set_write_timeout(service.config.timeouts.write);
        let conn = match &current_tls {
            None => Conn::Tcp(tcp),
            Some(tls) => match accept_tls(tcp, tls) {
                Some(conn) => conn,
                None => return,
            },
        };
        serve(Wire::new(conn), remote, &service, shutdown);
    })?;
    // Before the accept loop first runs (when the caller next suspends).
    let refusal = if tls.is_some() {
        &b""[..]
    } else {
        TOO_MANY_CONNECTIONS
    };
    tcp.limit_per_address(max_per_ip, refusal)?;
    Ok(Server { tcp, tls })
}

/// The answer to a plain-HTTP connection past
/// [`Limits::max_connections_per_ip`](super::Limits::max_connections_per_ip),
/// sent before any request is read (RFC 6585, section 4: 429 "indicates that
/// the user has sent too many requests"; here, opened too many connections).
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\n\
Content-Type: text/plain\r\n\
Content-Length: 39\r\n\
Connection: close\r\n\r\n\
too many connections from this address\n";

/// What every connection of one server shares.
struct Service {
    config: Config,
    handler: Box<dyn Fn(&mut Stream)>,
}

/// A running [`listen`] server: the [`tcp::Server`] it runs on (reached
/// through `Deref`: `local_addr`, `close`, `shutdown`, `connections`) and,
/// for HTTPS, its replaceable TLS config.
pub struct Server {
    tcp: tcp::Server,
    tls: Option<CurrentConfig>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("tcp", &self.tcp)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl Server {
    /// HTTPS: replaces the TLS config; handshakes that start from now on use
    /// `config`, connections already open keep theirs (as
    /// [`tls::Server::reload_tls`](crate::tls::Server::reload_tls)).
    ///
    /// # Errors
    ///
    /// [`TlsError::Config`] for a plain HTTP server (nothing to replace) or a
    /// config [`ServerConfig::check`] refuses, [`TlsError::Rustls`] if rustls
    /// refuses its settings; the server then keeps what it had.
    pub fn reload_tls(&self, config: ServerConfig) -> Result<(), TlsError> {
        let Some(current) = &self.tls else {
            return Err(TlsError::Config(ConfigError::new(
                "Config",
                "tls",
                "this server serves plain HTTP: there is no TLS config to replace",
            )));
        };
        config.rustls()?;
        current.set(config);
        Ok(())
    }
}

impl std::ops::Deref for Server {
    type Target = tcp::Server;

    fn deref(&self) -> &tcp::Server {
        &self.tcp
    }
}

/// The TLS handshake of a new connection, with the config current now. Not
/// inlined: its large temporaries (rustls's connection state while it is
/// built) would otherwise widen the frame that stays on the connection's
/// stack for its whole life.
#[inline(never)]
fn accept_tls(tcp: tcp::TcpStream, tls: &CurrentConfig) -> Option<Conn> {
    tls::accept(tcp, &tls.get()).map(Conn::from)
}

/// Answers the requests of one connection until it closes, fails, is
/// upgraded, or shutdown closes it between two requests.
fn serve(wire: Wire, remote: SocketAddr, service: &Service, shutdown: ShutdownToken) {
    let config = &service.config;
    let mut stream = Stream::new(wire, remote, config.timeouts.body_read, shutdown);
    let mut first = true;
    loop {
        let Some(wire) = stream.wire.as_mut() else {
            return; // upgraded: the handler owns the connection now
        };
        // Between requests the connection holds no work: shutdown may close it.
        if !stream.shutdown.enter_idle() {
            break;
        }
        let head = read_head(wire, config, first, &mut stream.head);
        if !stream.shutdown.leave_idle() {
            return; // closed by shutdown as a request arrived: no byte sent
        }
        match head {
            Ok(true) => {}
            Ok(false) => break,
            Err(status) => {
                let _ = refuse(wire, status.0, status.1);
                break;
            }
        }
        first = false;
        let started = metrics::request_started();
        wire.consume(stream.head.len);
        if let Err(err) = head::check_host(&mut stream.head) {
            let _ = refuse(wire, err.status(), err.reason());
            break;
        }
        let kind = match head::request_body(&stream.head) {
            Ok(kind) => kind,
            Err(err) => {
                let _ = refuse(wire, err.status(), err.reason());
                break;
            }
        };
        if let head::BodyKind::Length(n) = kind {
            if n > config.limits.max_body_bytes as u64 {
                let _ = refuse(wire, 413, "request body too large");
                break;
            }
        }
        let body = Body::new(
            kind,
            config.limits.max_body_bytes as u64,
            config.limits.max_header_bytes,
        );
        stream.begin(body);
        let outcome = task::catch_unwind(|| (service.handler)(&mut stream));
        after_handler(&mut stream, outcome.is_err());
        metrics::request_done(started);
        if !stream.keep_alive {
            break;
        }
    }
    if let Some(mut wire) = stream.wire.take() {
        if !wire.is_torn() {
            let _ = wire.flush();
            let _ = wire.conn.shutdown(Shutdown::Write);
        }
    }
}

/// Completes what the handler left undone, unless it upgraded the connection.
/// Clears `keep_alive` when the connection cannot carry another request.
fn after_handler(stream: &mut Stream, panicked: bool) {
    if stream.wire.is_none() {
        return;
    }
    if stream.is_closed() {
        // An interrupted write tore the response: nothing more can be sent.
        stream.keep_alive = false;
        return;
    }
    if panicked {
        stream.keep_alive = false;
    }
    match stream.response {
        Response::NotStarted => {
            let _ = stream.error_response(500, "internal server error");
        }
        Response::Sending(_) if panicked => stream.keep_alive = false,
        Response::Sending(_) => {
            if stream.finish().is_err() {
                stream.keep_alive = false;
            }
        }
        Response::Finished => {}
    }
    if stream.keep_alive && !stream.body.is_done() {
        // Skip the unread body so the next request starts where it should. On the
        // heap: an 8 KiB array in this frame would be probed into every
        // connection's stack (and stay resident) whether or not it is used.
        let mut scratch = vec![0u8; 8192];
        loop {
            match stream.read(&mut scratch) {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => {
                    stream.keep_alive = false;
                    break;
                }
            }
        }
    }
}

/// Waits for the next request head and parses it into `head`. Not inlined, like
/// the parser it calls: their buffers are then on the stack only while a head
/// is read, not under the handler for as long as it runs. `Ok(false)`: the
/// client closed or stayed idle past the keep-alive timeout. `Err`: the status to
/// answer with.
#[inline(never)]
fn read_head(
    wire: &mut Wire,
    config: &Config,
    first: bool,
    head: &mut RequestHead,
) -> Result<bool, (u16, &'static str)> {
    let timeouts = &config.timeouts;
    let limits = &config.limits;
    // The keep-alive wait starts once per request: counted from the loop's
    // clock, not a clock read each time (it may end early by the loop's lag).
    let mut deadline = if first {
        time::deadline(timeouts.request_head)
    } else {
        time::loop_deadline(timeouts.keep_alive)
    };
    let mut started = first;
    loop {
        if !wire.available().is_empty() {
            let parsed = head::parse_request_into(
                wire.available(),
                limits.max_header_bytes,
                limits.max_headers,
                head,
            );
            match parsed {
                Ok(true) => return Ok(true),
                Ok(false) if !started => {
                    // Part of a new request: the rest of its head must come in
                    // time. (A head that arrives whole, as most do, needs no
                    // clock read for this.)
                    started = true;
                    deadline = time::deadline(timeouts.request_head);
                }
                Ok(false) => {}
                Err(err) => return Err((err.status(), err.reason())),
            }
        }
        match wire.fill(deadline) {
            Ok(0) => {
                return if wire.available().is_empty() {
                    Ok(false)
                } else {
                    Err((400, "connection closed inside the request head"))
                }
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::TimedOut && !wire.available().is_empty() => {
                return Err((408, "request head not received in time"));
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Answers a request that cannot be served and is not handed to the handler.
fn refuse(wire: &mut Wire, status: u16, text: &str) -> io::Result<()> {
    metrics::response(status);
    let response = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        status,
        head::reason_phrase(status),
        text.len(),
        text
    );
    wire.write(response.as_bytes())?;
    wire.flush()
}
