//! `tcp::listen`: silly's accept loop, a coroutine per connection.

use std::fmt;
use std::io;
use std::io::Write;
use std::net::SocketAddr;
use std::rc::{Rc, Weak};
use std::time::Duration;

use silly_runtime::{task, time};

use super::{TcpListener, TcpStream};
use crate::dns::ToAddr;

/// Pause before accepting again after an error such as `EMFILE`: the failed
/// connection stays in the kernel's queue, so an immediate retry would fail the
/// same way and spin the loop.
pub const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Listens on `addr` and runs `handler` in a new coroutine for each accepted
/// connection. Returns once listening; the accept loop runs in its own coroutine.
///
/// Errors from `accept` (out of file descriptors, say) are printed to stderr and
/// retried after [`ACCEPT_ERROR_BACKOFF`]; the server never stops by itself.
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
pub fn listen<F>(addr: impl ToAddr, handler: F) -> io::Result<Server>
where
    F: Fn(TcpStream) + 'static,
{
    let listener = Rc::new(TcpListener::bind(addr)?);
    let local_addr = listener.local_addr()?;
    let accepting = listener.clone();
    // The accept loop owns the listener; the handle only points at it, so the
    // socket closes as soon as the loop ends.
    let handler = Rc::new(handler);
    task::Builder::new()
        .name("tcp accept")
        .fork(move || accept_loop(&accepting, handler));
    Ok(Server {
        listener: Rc::downgrade(&listener),
        local_addr,
    })
}

fn accept_loop<F: Fn(TcpStream) + 'static>(listener: &TcpListener, handler: Rc<F>) {
    loop {
        match listener.accept() {
            Ok((stream, _peer)) => {
                let handler = handler.clone();
                task::fork(move || handler(stream));
            }
            Err(_) if listener.is_closed() => return,
            Err(err) => {
                // Never `eprintln!`: it panics when stderr is a closed pipe.
                let _ = writeln!(
                    std::io::stderr(),
                    "silly: tcp accept failed: {err}; retrying in {ACCEPT_ERROR_BACKOFF:?}"
                );
                time::sleep(ACCEPT_ERROR_BACKOFF);
            }
        }
    }
}

/// A running [`listen`] server. Dropping the handle leaves the server running;
/// [`close`](Self::close) stops accepting (open connections go on).
pub struct Server {
    listener: Weak<TcpListener>,
    local_addr: SocketAddr,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
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
}
