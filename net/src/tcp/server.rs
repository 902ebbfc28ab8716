//! `tcp::listen`: silly's accept loop, a coroutine per connection, and the
//! server handle that stops it gracefully.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use silly_runtime::config::ConfigError;
use silly_runtime::task::{self, JoinHandle};
use silly_runtime::time;

use super::listener::TcpListener;
use super::per_address::AddressLimit;
use super::shutdown::{Drain, ShutdownReport, ShutdownToken, SlotGuard};
use super::stream::TcpStream;
use crate::dns::ToAddr;
use crate::metrics;

/// Pause before accepting again after an error such as `EMFILE`: the failed
/// connection stays in the kernel's queue, so an immediate retry would fail the
/// same way and spin the loop.
pub const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Listens on `addr` and runs `handler` in a new coroutine for each accepted
/// connection. Returns once listening; the accept loop runs in its own coroutine.
///
/// Errors from `accept` (out of file descriptors, say) are logged (`log`
/// crate, warn level) and retried after [`ACCEPT_ERROR_BACKOFF`]; the server
/// never stops by itself. [`Server::shutdown`] stops it gracefully; a handler
/// that wants to see that uses [`listen_graceful`].
///
/// ```
/// use silly_net::tcp::{self, TcpStream};
/// use std::io::Read;
///
/// silly_runtime::run(|| {
///     let server = tcp::listen("127.0.0.1:0", |conn| {
///         conn.write_all(b"hi").unwrap();
///     })
///     .unwrap();
///     let mut client = TcpStream::connect(server.local_addr()).unwrap();
///     let mut got = String::new();
///     client.read_to_string(&mut got).unwrap();
///     assert_eq!(got, "hi");
///     server.close();
/// });
/// ```
///
/// # Errors
///
/// Those of [`TcpListener::bind`].
///
/// # Interrupts
///
/// As [`TcpListener::bind`]: nothing is left.
pub fn listen<F>(addr: impl ToAddr, handler: F) -> io::Result<Server>
where
    F: Fn(TcpStream) + 'static,
{
    listen_graceful(addr, move |conn, _| handler(conn))
}

/// [`listen`], the handler also getting the connection's [`ShutdownToken`]:
/// it tells the handler that [`Server::shutdown`] began (to end long work
/// early, or to close between two requests), and lets it mark the connection
/// idle so shutdown closes it at once.
///
/// The token is an argument rather than something looked up through the
/// server handle, which does not exist yet when the handler is built.
///
/// ```
/// use silly_net::tcp::{self, TcpStream};
/// use std::io::Read;
/// use std::time::Duration;
///
/// silly_runtime::run(|| {
///     let server = tcp::listen_graceful("127.0.0.1:0", |conn, shutdown| {
///         shutdown.wait(); // long work, until the server stops
///         conn.write_all(b"bye").unwrap();
///     })
///     .unwrap();
///     let mut client = TcpStream::connect(server.local_addr()).unwrap();
///     silly_runtime::task::yield_now(); // the connection is accepted
///     let report = server.shutdown(Duration::from_secs(5));
///     assert_eq!((report.finished, report.forced), (1, 0));
///     let mut got = String::new();
///     client.read_to_string(&mut got).unwrap();
///     assert_eq!(got, "bye");
/// });
/// ```
///
/// # Errors
///
/// Those of [`TcpListener::bind`].
///
/// # Interrupts
///
/// As [`TcpListener::bind`]: nothing is left.
pub fn listen_graceful<F>(addr: impl ToAddr, handler: F) -> io::Result<Server>
where
    F: Fn(TcpStream, ShutdownToken) + 'static,
{
    let listener = TcpListener::bind(addr)?;
    let local_addr = listener.local_addr()?;
    let listener = Rc::new(listener);
    let drain = Rc::new(Drain::default());
    let limit = Rc::new(AddressLimit::default());
    let accepting = listener.clone();
    let handler = Rc::new(handler);
    let loop_drain = drain.clone();
    let loop_limit = limit.clone();
    let accept = task::Builder::new()
        .name("tcp accept")
        .fork(move || accept_loop(&accepting, &loop_drain, &loop_limit, handler));
    // The accept loop owns the listener; the handle only points at it, so the
    // socket closes as soon as the loop ends.
    Ok(Server {
        listener: Rc::downgrade(&listener),
        accept: RefCell::new(Some(accept)),
        drain,
        limit,
        local_addr,
    })
}

fn accept_loop<F>(
    listener: &TcpListener,
    drain: &Rc<Drain>,
    limit: &Rc<AddressLimit>,
    handler: Rc<F>,
) where
    F: Fn(TcpStream, ShutdownToken) + 'static,
{
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                let address = match limit.admit(peer.ip()) {
                    Ok(address) => address,
                    Err(_full) => {
                        limit.refuse(stream);
                        metrics::refused();
                        continue;
                    }
                };
                let handler = handler.clone();
                let guard = SlotGuard(drain.admit());
                let token = guard.0.clone();
                let conn = task::fork(move || {
                    // All released when the handler ends, however it ends.
                    let _open = metrics::OpenConnection::new();
                    let (guard, _address) = (guard, address);
                    handler(stream, guard.0.clone())
                });
                drain.started(&token, conn.task());
            }
            Err(_) if listener.is_closed() => return,
            Err(err) => {
                metrics::refused();
                log::warn!("tcp accept failed: {err}; retrying in {ACCEPT_ERROR_BACKOFF:?}");
                time::sleep(ACCEPT_ERROR_BACKOFF);
            }
        }
    }
}

/// A running [`listen`] server. Dropping the handle leaves the server running;
/// [`close`](Self::close) stops accepting (open connections go on);
/// [`shutdown`](Self::shutdown) stops it gracefully.
pub struct Server {
    listener: std::rc::Weak<TcpListener>,
    /// The accept loop, joined by `shutdown` so the socket is closed when it
    /// returns from its first step.
    accept: RefCell<Option<JoinHandle<()>>>,
    drain: Rc<Drain>,
    /// The limit on connections per client address, shared with the loop.
    limit: Rc<AddressLimit>,
    local_addr: SocketAddr,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("connections", &self.drain.open_connections())
            .field("shutting_down", &self.drain.is_begun())
            .field("max_connections_per_ip", &self.limit.max())
            .field("refused_connections", &self.limit.refused())
            .finish()
    }
}

impl Server {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting. The listening socket closes when the accept loop next
    /// runs (the next turn of the event loop); open connections go on.
    pub fn close(&self) {
        if let Some(listener) = self.listener.upgrade() {
            listener.close();
        }
    }

    /// Connections open now (their handlers have not returned).
    pub fn connections(&self) -> usize {
        self.drain.open_connections()
    }

    /// Limits how many connections one client address may hold open at
    /// once: past `max`, a new connection from that address is closed as
    /// soon as it is accepted, before its handler would run (no coroutine,
    /// no read), and counted ([`refused_connections`](Self::refused_connections),
    /// [`tcp::refused_connections`](super::refused_connections)). `None`, the
    /// default, turns the limit off: nothing is counted then, at no cost per
    /// connection. Servers built on this one get it through `Deref`
    /// ([`tls::Server`](crate::tls::Server), [`http::Server`](crate::http::Server),
    /// which sets it from
    /// [`Limits::max_connections_per_ip`](crate::http::Limits::max_connections_per_ip)
    /// and answers a refused plain-HTTP client `429` first).
    ///
    /// A connection counts from its accept until its handler ends (returns,
    /// panics, or is cancelled by an interrupt or shutdown): an abrupt
    /// disconnect counts until the handler sees it. A handler that hands its
    /// connection to another task gives the place back when it returns.
    ///
    /// Addresses are compared whole: an IPv4 client connecting to a
    /// dual-stack socket (`::ffff:a.b.c.d`) is the IPv4 address `a.b.c.d`;
    /// each IPv6 address is its own, so one host holding a whole IPv6
    /// prefix is not held back by this limit. Behind a proxy or NAT, every
    /// client shares the proxy's address: keep the limit generous there.
    ///
    /// It applies to connections accepted from then on: only those are
    /// counted. Set it right after `listen` returns (the accept loop first
    /// runs when the caller suspends) to count every connection. A change
    /// of `max` keeps the counts. A [`TcpListener`] whose accept loop is
    /// yours has no such limit: its loop decides.
    ///
    /// ```
    /// use silly_net::tcp::{self, TcpStream};
    ///
    /// silly_runtime::run(|| {
    ///     let server = tcp::listen("127.0.0.1:0", |conn| {
    ///         let _ = conn.read(&mut [0u8; 1]); // held open until the client closes
    ///     })
    ///     .unwrap();
    ///     server.set_max_connections_per_ip(Some(1)).unwrap();
    ///     let first = TcpStream::connect(server.local_addr()).unwrap();
    ///     let second = TcpStream::connect(server.local_addr()).unwrap();
    ///     assert_eq!(second.read(&mut [0u8; 1]).unwrap_or(0), 0, "closed at once");
    ///     assert_eq!(server.refused_connections(), 1);
    ///     drop(first);
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for `Some(0)`; the limit is then unchanged.
    pub fn set_max_connections_per_ip(&self, max: Option<usize>) -> Result<(), ConfigError> {
        self.limit.set_max(max)
    }

    /// [`set_max_connections_per_ip`](Self::set_max_connections_per_ip),
    /// with `refusal` sent to a refused connection if its socket takes it at
    /// once (a protocol's answer: HTTP's 429), now and after later changes
    /// of the limit.
    pub(crate) fn limit_per_address(
        &self,
        max: Option<usize>,
        refusal: &'static [u8],
    ) -> Result<(), ConfigError> {
        self.limit.set_refusal(refusal);
        self.limit.set_max(max)
    }

    /// The limit set by [`set_max_connections_per_ip`](Self::set_max_connections_per_ip).
    pub fn max_connections_per_ip(&self) -> Option<usize> {
        self.limit.max()
    }

    /// Connections this server refused because their address had
    /// [`max_connections_per_ip`](Self::set_max_connections_per_ip) open.
    pub fn refused_connections(&self) -> u64 {
        self.limit.refused()
    }

    /// Whether [`shutdown`](Self::shutdown) has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.drain.is_begun()
    }

    /// Stops the server gracefully, from any coroutine of its runtime:
    ///
    /// 1. The listening socket is closed (before the first suspension of
    ///    this call returns): new connections are refused.
    /// 2. Every handler's [`ShutdownToken`] reports shutdown; connections
    ///    marked idle are closed at once (their tasks cancelled);
    ///    taken-over connections registered with
    ///    [`ShutdownToken::on_shutdown`] are asked to close, each in a
    ///    coroutine forked now.
    /// 3. It waits until every connection's handler has returned, or `grace`
    ///    has passed; then it cancels the tasks left (their destructors run,
    ///    the sockets close) and waits for them to unwind.
    ///
    /// A `grace` too long for the clock (`Duration::MAX`) waits for every
    /// handler, however long it takes. Calling it again after it returned
    /// reports nothing left.
    ///
    /// # Interrupts
    ///
    /// Shutdown stays begun: the listener is closed and the handlers were
    /// told, but the connections left are not cancelled and the report is
    /// lost. Calling it again goes on from there, under its own grace.
    pub fn shutdown(&self, grace: Duration) -> ShutdownReport {
        let deadline = time::deadline(Some(grace));
        self.close();
        let accept = self.accept.borrow_mut().take();
        if let Some(accept) = accept {
            let _ = accept.join();
        }
        self.drain.run(deadline)
    }
}
