//! `tcp::listen`: silly's accept loop, a coroutine per connection, and the
//! server handle that stops it gracefully.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use silly_runtime::task::{self, JoinHandle};
use silly_runtime::time;

use super::listener::TcpListener;
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
    let accepting = listener.clone();
    let handler = Rc::new(handler);
    let loop_drain = drain.clone();
    let accept = task::Builder::new()
        .name("tcp accept")
        .fork(move || accept_loop(&accepting, &loop_drain, handler));
    // The accept loop owns the listener; the handle only points at it, so the
    // socket closes as soon as the loop ends.
    Ok(Server {
        listener: Rc::downgrade(&listener),
        accept: RefCell::new(Some(accept)),
        drain,
        local_addr,
    })
}

fn accept_loop<F>(listener: &TcpListener, drain: &Rc<Drain>, handler: Rc<F>)
where
    F: Fn(TcpStream, ShutdownToken) + 'static,
{
    loop {
        match listener.accept() {
            Ok((stream, _peer)) => {
                let handler = handler.clone();
                let guard = SlotGuard(drain.admit());
                let token = guard.0.clone();
                let conn = task::fork(move || {
                    let _open = metrics::OpenConnection::new();
                    let guard = guard;
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
    local_addr: SocketAddr,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("connections", &self.drain.open_connections())
            .field("shutting_down", &self.drain.is_begun())
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
