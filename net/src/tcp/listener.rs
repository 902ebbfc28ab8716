//! Accepting TCP connections.

use std::cell::Cell;
use std::fmt;
use std::io;
use std::net::SocketAddr;

use silly_runtime::io::{Interest, Registered};
use socket2::{Domain, Protocol, Socket, Type};

use super::stream::TcpStream;
use crate::dns::ToAddr;

/// Connections the kernel may queue before `accept` takes them (clamped to
/// `net.core.somaxconn`). The standard library's 128 makes a burst of clients
/// beyond it lose their SYN and retry a second later.
pub const LISTEN_BACKLOG: i32 = 1024;

fn listen_socket(addr: SocketAddr, reuse_port: bool) -> io::Result<mio::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(mio::net::TcpListener::from_std(socket.into()))
}

/// A listening socket. [`accept`](Self::accept) suspends the calling coroutine
/// until a connection arrives. It implements `AsFd` and `AsRawFd`, for socket
/// options (`socket2::SockRef::from(&listener)`); accepting through the
/// descriptor directly would bypass the runtime.
///
/// ```
/// use silly_net::tcp::{TcpListener, TcpStream};
/// silly_runtime::run(|| {
///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
///     let addr = listener.local_addr().unwrap();
///     let client = silly_runtime::task::fork(move || TcpStream::connect(addr).unwrap());
///     let (conn, peer) = listener.accept().unwrap();
///     assert_eq!(peer, client.join().unwrap().local_addr().unwrap());
///     drop(conn);
/// });
/// ```
pub struct TcpListener {
    io: Registered<mio::net::TcpListener>,
    closed: Cell<bool>,
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.local_addr().ok())
            .field("closed", &self.closed.get())
            .finish()
    }
}

impl TcpListener {
    /// Binds to `addr` (`":8080"` for every interface; port 0 picks a free port),
    /// trying each resolved address in turn. `SO_REUSEADDR` is set; the backlog
    /// is [`LISTEN_BACKLOG`].
    ///
    /// When the calling runtime is one of several started together
    /// (`silly_runtime::Builder::run_each`), `SO_REUSEPORT` is set too, so
    /// each runtime binds its own listener on the same address and the kernel
    /// spreads connections among them: no lock and no hand-off on the accept
    /// path (see [`bind_reuse_port`](Self::bind_reuse_port)).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a malformed address, the resolver's error, or the last
    /// bind error (e.g. `AddrInUse`).
    ///
    /// # Interrupts
    ///
    /// Nothing is left: only resolving a name suspends, and nothing is bound
    /// before it returned.
    pub fn bind(addr: impl ToAddr) -> io::Result<TcpListener> {
        let reuse_port = silly_runtime::runtimes().len() > 1;
        Self::bind_with(addr, reuse_port)
    }

    /// [`bind`](Self::bind) with `SO_REUSEPORT` set or not, whatever the
    /// number of runtimes: every socket bound to one address with it set
    /// (in this process or another) gets a share of the connections.
    ///
    /// The kernel picks the listener by a hash of the connection's addresses
    /// and ports, not by load: over many connections the shares are even
    /// (measured: 1,000 loopback connections from one host split 514/486,
    /// 481/519 over 2 runtimes: within 8%), but a few
    /// long, busy connections can land on one runtime. Closing one of the
    /// listeners drops the connections waiting in its queue, so close them
    /// only at shutdown.
    ///
    /// Where the hash is not what you want, [`steer_by_cpu`](Self::steer_by_cpu)
    /// places each connection by the CPU that received it. Seastar's other
    /// way, handing each accepted socket to the runtime with the fewest
    /// connections, is not offered: it costs a cross-thread message per
    /// connection and puts one listener's accept loop in front of all. For
    /// many short connections the hash spreads evenly and costs nothing.
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind).
    ///
    /// # Interrupts
    ///
    /// As [`bind`](Self::bind).
    pub fn bind_reuse_port(addr: impl ToAddr, reuse_port: bool) -> io::Result<TcpListener> {
        Self::bind_with(addr, reuse_port)
    }

    fn bind_with(addr: impl ToAddr, reuse_port: bool) -> io::Result<TcpListener> {
        let mut last_error = None;
        for addr in addr.to_addr()?.resolve()? {
            match listen_socket(addr, reuse_port) {
                Ok(listener) => {
                    return Ok(TcpListener {
                        io: Registered::new(listener)?,
                        closed: Cell::new(false),
                    })
                }
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to bind")))
    }

    /// Waits for the next connection.
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once [`close`](Self::close) was called (also for a
    /// coroutine already waiting here). Resource errors such as `EMFILE` (too many
    /// open files) are returned as they are: the pending connection stays queued,
    /// so retry after a pause, not at once, or the loop spins.
    ///
    /// # Interrupts
    ///
    /// Whole: it is interrupted only while it waits; a connection not taken
    /// yet stays in the kernel's queue for the next `accept`.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        loop {
            if self.closed.get() {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "listener closed",
                ));
            }
            if self.io.is_ready(Interest::READABLE) {
                match self.io.get_ref().accept() {
                    Ok((stream, peer)) => return Ok((TcpStream::from_mio(stream)?, peer)),
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        self.io.clear_ready(Interest::READABLE)
                    }
                    // The peer gave up before we took it; take the next one.
                    Err(err)
                        if matches!(
                            err.kind(),
                            io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                        ) => {}
                    Err(err) => return Err(err),
                }
            }
            if !self.io.is_ready(Interest::READABLE) {
                self.io.wait(Interest::READABLE, None)?;
            }
        }
    }

    /// Places new connections among the `listeners` listeners of this
    /// listener's `SO_REUSEPORT` group by the CPU that received them: CPU
    /// `c`'s connections go to the listener at position `c % listeners` in
    /// the group (the order in which they started listening), instead of by
    /// the kernel's hash of addresses and ports. Attached once, by any one
    /// listener of the group, it holds for all of them.
    ///
    /// It pays off when each runtime is pinned to its own core
    /// ([`Builder::pin_threads`](silly_runtime::Builder::pin_threads)) and
    /// the NIC spreads its receive queues over the same cores (RSS, or
    /// `rps_cpus`): a connection is then served on the core where its packets
    /// arrive, and the load follows the NIC's spread rather than a hash that
    /// ignores load. For runtime `i`'s listener to be at position `i`, bind
    /// the runtimes' listeners in runtime order; otherwise each CPU's
    /// connections still go to one runtime, just not necessarily its own.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 listeners; the kernel's error if it refuses the
    /// program (a listener without `SO_REUSEPORT`, a kernel before 4.5).
    ///
    /// ```
    /// use silly_net::tcp::TcpListener;
    ///
    /// silly_runtime::run(|| {
    ///     let listener = TcpListener::bind_reuse_port("127.0.0.1:0", true).unwrap();
    ///     listener.steer_by_cpu(1).unwrap();
    /// });
    /// ```
    pub fn steer_by_cpu(&self, listeners: usize) -> io::Result<()> {
        super::steering::steer_by_cpu(self.io.get_ref(), listeners)
    }

    /// Stops accepting: pending and later `accept` calls fail with
    /// `ConnectionAborted`. The socket closes when the listener is dropped.
    pub fn close(&self) {
        self.closed.set(true);
        self.io.wake_all();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// The bound address (with the port the system chose for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self.io.get_ref())
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
    }
}
