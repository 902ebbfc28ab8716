//! A connection that is either plain TCP or TLS: what an HTTP server reads
//! requests from, and what a WebSocket takes over after the upgrade.

use std::cell::RefCell;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use rustls_pki_types::CertificateDer;
use silly_runtime::sync::{SelectWaiter, Selectable, Watch};

use crate::tcp::TcpStream;
use crate::tls::TlsStream;

/// A plain or TLS connection, with the stream API both share.
#[derive(Debug)]
pub enum Conn {
    /// Plain TCP.
    Tcp(TcpStream),
    /// TLS over TCP (boxed: the TLS state is large, a plain connection small).
    Tls(Box<TlsStream>),
}

/// Largest read `read_into` and `read_with` make at once.
const READ_SIZE: usize = 64 * 1024;

thread_local! {
    /// Where reads of `read_into` and `read_with` land: one per thread, so a
    /// connection that waits for data holds no read buffer.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

macro_rules! either {
    ($conn:expr, $s:ident => $e:expr) => {
        match $conn {
            Conn::Tcp($s) => $e,
            Conn::Tls($s) => $e,
        }
    };
}

/// What `read_with` needs of a transport: a wait that reads nothing, then a read
/// that does not suspend (so it may land in the shared scratch buffer).
trait ReadReady {
    /// Suspends until a read would find data, EOF or an error, or `deadline`.
    fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()>;
    /// Reads without suspending; `WouldBlock` if nothing is there after all.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;
}

impl ReadReady for TcpStream {
    fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()> {
        TcpStream::wait_readable(self, deadline)
    }

    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::try_read(self, buf)
    }
}

impl ReadReady for TlsStream {
    fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()> {
        TlsStream::wait_readable(self, deadline)
    }

    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        TlsStream::try_read(self, buf)
    }
}

/// [`Conn::read_with`] on one transport: wait holding no buffer, then read into
/// the thread's scratch buffer and hand the bytes to `take`.
fn read_ready_with<R>(
    stream: &impl ReadReady,
    deadline: Option<Instant>,
    take: impl FnOnce(&[u8]) -> R,
) -> io::Result<R> {
    let mut take = Some(take);
    loop {
        stream.wait_readable(deadline)?;
        let read = SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            if scratch.len() < READ_SIZE {
                scratch.resize(READ_SIZE, 0);
            }
            // try_read never suspends, nor may `take`: the borrow ends before
            // any switch.
            let n = stream.try_read(&mut scratch)?;
            let take = take.take().expect("called once: a read returns");
            Ok::<R, io::Error>(take(&scratch[..n]))
        });
        match read {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

impl Conn {
    /// Reads what is available (at least one byte); `Ok(0)` at EOF.
    ///
    /// # Interrupts
    ///
    /// Whole, as [`TcpStream::read`] and [`TlsStream::read`].
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        either!(self, s => s.read(buf))
    }

    /// Appends what arrives (up to 64 KiB) to `out`, suspending until some data,
    /// EOF (`Ok(0)`) or `deadline`. Protocol layers that keep their own input
    /// buffer use this instead of `read`. The stream's read timeout does not
    /// apply (nor is it changed): `deadline` is the bound.
    ///
    /// The coroutine waits holding no buffer and the bytes pass through a
    /// per-thread scratch buffer: an idle connection costs no read buffer, and
    /// `out` grows only by what was received (no zeroed slack).
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes; the connection's errors.
    ///
    /// # Interrupts
    ///
    /// Whole: the call is interrupted only while it waits, holding nothing;
    /// it reads (without suspending) only once data is there.
    pub fn read_into(&self, deadline: Option<Instant>, out: &mut Vec<u8>) -> io::Result<usize> {
        self.read_with(deadline, |bytes| {
            out.extend_from_slice(bytes);
            bytes.len()
        })
    }

    /// Suspends until data arrives (or EOF, or `deadline`), then hands what
    /// was read (up to 64 KiB; empty at EOF) to `take`, which decides where the
    /// bytes go and must not suspend. A protocol that can place bytes straight
    /// where they belong (a frame's payload into its message) saves the copy
    /// through an input buffer that [`read_into`](Self::read_into) costs.
    ///
    /// The bytes are in the per-thread scratch buffer; as with `read_into`, the
    /// read timeout does not apply.
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes; the connection's errors.
    ///
    /// # Interrupts
    ///
    /// Whole, as [`read_into`](Self::read_into): `take` runs only after the
    /// last wait, and must not suspend.
    pub fn read_with<R>(
        &self,
        deadline: Option<Instant>,
        take: impl FnOnce(&[u8]) -> R,
    ) -> io::Result<R> {
        match self {
            Conn::Tcp(tcp) => read_ready_with(tcp, deadline, take),
            Conn::Tls(tls) => read_ready_with(&**tls, deadline, take),
        }
    }

    /// Writes all of `buf`.
    ///
    /// # Interrupts
    ///
    /// Closed if part of `buf` had gone out (over TLS: had been taken by
    /// rustls), whole if nothing had: see [`TcpStream::write_all`] and
    /// [`TlsStream::write_all`]. [`is_closed`](Self::is_closed) tells.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        either!(self, s => s.write_all(buf))
    }

    /// Writes all of `bufs` in order, without joining them first: one `writev`
    /// over plain TCP when the socket takes it all, shared TLS records over TLS.
    ///
    /// # Interrupts
    ///
    /// As [`write_all`](Self::write_all): closed if part of `bufs` had gone
    /// out, whole if nothing had.
    pub fn write_all_vectored(&self, bufs: &mut [io::IoSlice<'_>]) -> io::Result<()> {
        either!(self, s => s.write_all_vectored(bufs))
    }

    /// Writes what of `bufs` the connection takes now, without suspending,
    /// and returns how many bytes that was (see
    /// [`TcpStream::try_write_vectored`]).
    ///
    /// Over TLS there is no non-blocking write: rustls encrypts into its own
    /// buffer, and a record half flushed would have to be finished before
    /// anything else, by someone who may wait. So it is always `WouldBlock`
    /// there, and callers fall back to
    /// [`write_all_vectored`](Self::write_all_vectored) in a coroutine.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing can be written now (always over TLS); the
    /// connection's errors.
    pub fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Conn::Tcp(tcp) => tcp.try_write_vectored(bufs),
            Conn::Tls(_) => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    /// [`write_all_vectored`](Self::write_all_vectored) with an explicit
    /// deadline for the whole call instead of the write timeout.
    pub(crate) fn write_all_vectored_until(
        &self,
        bufs: &mut [io::IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        either!(self, s => s.write_all_vectored_until(bufs, deadline))
    }

    /// Shuts down one or both halves (TLS sends close_notify first).
    ///
    /// # Interrupts
    ///
    /// Closed: the halves asked for are shut at once (over TLS, without
    /// waiting for close_notify to go out). Plain TCP never suspends here.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        either!(self, s => s.shutdown(how))
    }

    /// Sets the read timeout of each read call (see
    /// [read timeouts](crate#read-timeouts)); `read_into` and `read_with` take
    /// their deadline instead.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_read_timeout(timeout))
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        either!(self, s => s.read_timeout())
    }

    /// Sets the write timeout of each write call: one that runs out after
    /// part of its data went out closes the connection (see
    /// [`is_closed`](Self::is_closed)).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_write_timeout(timeout))
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        either!(self, s => s.write_timeout())
    }

    /// Sets `TCP_NODELAY` (on by default).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        either!(self, s => s.set_nodelay(nodelay))
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        either!(self, s => s.nodelay())
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.peer_addr())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.local_addr())
    }

    /// Whether the connection is open with nothing to read: a non-blocking
    /// read would block. False once the peer has closed or reset it, or has
    /// sent bytes nobody has read. Never suspends. Client pools (HTTP, Redis)
    /// check it before reusing an idle connection.
    pub fn is_idle_open(&self) -> bool {
        either!(self, s => s.is_idle_open())
    }

    /// Whether the connection closed itself because a write was cut after
    /// part of its data went out: see [`TcpStream::is_closed`].
    pub fn is_closed(&self) -> bool {
        either!(self, s => s.is_closed())
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    /// Over TLS, the certificate chain the peer showed (see
    /// [`TlsStream::peer_certificates`]); `None` over plain TCP.
    pub fn peer_certificates(&self) -> Option<Vec<CertificateDer<'static>>> {
        match self {
            Conn::Tcp(_) => None,
            Conn::Tls(s) => s.peer_certificates(),
        }
    }
}

/// In a [`Select`](silly_runtime::sync::Select): as [`TcpStream`]'s or
/// [`TlsStream`]'s, bytes already buffered or decrypted counted. Looking is
/// all it does: nothing is read or lost.
impl Selectable for Conn {
    fn is_ready(&self) -> bool {
        match self {
            Conn::Tcp(tcp) => Selectable::is_ready(tcp),
            Conn::Tls(tls) => Selectable::is_ready(&**tls),
        }
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        match self {
            Conn::Tcp(tcp) => tcp.watch(waiter),
            Conn::Tls(tls) => tls.watch(waiter),
        }
    }
}

/// The TCP socket's descriptor, for socket options (see [`TcpStream`]).
#[cfg(unix)]
impl std::os::fd::AsFd for Conn {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        either!(self, s => std::os::fd::AsFd::as_fd(s))
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Conn {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        either!(self, s => std::os::fd::AsRawFd::as_raw_fd(s))
    }
}

impl From<TcpStream> for Conn {
    fn from(s: TcpStream) -> Self {
        Conn::Tcp(s)
    }
}

impl From<TlsStream> for Conn {
    fn from(s: TlsStream) -> Self {
        Conn::Tls(Box::new(s))
    }
}
