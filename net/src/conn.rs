//! A connection that is either plain TCP or TLS: what an HTTP server reads
//! requests from, and what a WebSocket takes over after the upgrade.

use std::cell::RefCell;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

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

/// Largest read `read_into` makes at once.
const READ_SIZE: usize = 64 * 1024;

thread_local! {
    /// Where plain-TCP reads of `read_into` land before being appended: one per
    /// thread, so a connection that waits for data holds no read buffer.
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

impl Conn {
    /// Reads what is available (at least one byte); `Ok(0)` at EOF.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        either!(self, s => s.read(buf))
    }

    /// Appends what arrives (up to 64 KiB) to `out`, suspending until some data,
    /// EOF (`Ok(0)`) or `deadline`. Protocol layers that keep their own input
    /// buffer use this instead of `read`.
    ///
    /// Over plain TCP the coroutine waits holding no buffer and the bytes pass
    /// through a per-thread scratch buffer: an idle connection costs no read
    /// buffer, and `out` grows only by what was received (no zeroed slack). Over
    /// TLS a read buffer is held while waiting.
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes; the connection's errors.
    pub fn read_into(&self, deadline: Option<Instant>, out: &mut Vec<u8>) -> io::Result<usize> {
        match self {
            Conn::Tcp(_) => self.read_with(deadline, |bytes| {
                out.extend_from_slice(bytes);
                bytes.len()
            }),
            Conn::Tls(tls) => {
                let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if timeout.is_some_and(|t| t.is_zero()) {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "read timed out"));
                }
                tls.set_read_timeout(timeout);
                let len = out.len();
                out.resize(len + 16 * 1024, 0);
                let read = tls.read(&mut out[len..]);
                out.truncate(len + *read.as_ref().unwrap_or(&0));
                read
            }
        }
    }

    /// Suspends until data arrives (or EOF, or `deadline`), then hands what
    /// was read (up to 64 KiB; empty at EOF) to `take`, which decides where the
    /// bytes go and must not suspend. A protocol that can place bytes straight
    /// where they belong (a frame's payload into its message) saves the copy
    /// through an input buffer that [`read_into`](Self::read_into) costs.
    ///
    /// Over plain TCP the bytes are in the per-thread scratch buffer; over TLS
    /// in a temporary one.
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes; the connection's errors.
    pub fn read_with<R>(
        &self,
        deadline: Option<Instant>,
        take: impl FnOnce(&[u8]) -> R,
    ) -> io::Result<R> {
        match self {
            Conn::Tcp(tcp) => {
                let mut take = Some(take);
                loop {
                    tcp.wait_readable(deadline)?;
                    let read = SCRATCH.with(|cell| {
                        let mut scratch = cell.borrow_mut();
                        if scratch.len() < READ_SIZE {
                            scratch.resize(READ_SIZE, 0);
                        }
                        // try_read never suspends, nor may `take`: the borrow
                        // ends before any switch.
                        let n = tcp.try_read(&mut scratch)?;
                        let take = take.take().expect("called once: a read returns");
                        Ok::<R, io::Error>(take(&scratch[..n]))
                    });
                    match read {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        other => return other,
                    }
                }
            }
            Conn::Tls(_) => {
                let mut bytes = Vec::new();
                self.read_into(deadline, &mut bytes)?;
                Ok(take(&bytes))
            }
        }
    }

    /// Plain TCP: see [`TcpStream::wait_readable`]. `None` for TLS, whose
    /// readiness is not the socket's (buffered records): use `read` there.
    pub fn wait_readable(&self, deadline: Option<std::time::Instant>) -> Option<io::Result<()>> {
        match self {
            Conn::Tcp(s) => Some(s.wait_readable(deadline)),
            Conn::Tls(_) => None,
        }
    }

    /// Plain TCP: see [`TcpStream::try_read`]. `None` for TLS.
    pub fn try_read(&self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        match self {
            Conn::Tcp(s) => Some(s.try_read(buf)),
            Conn::Tls(_) => None,
        }
    }

    /// Writes all of `buf`.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        either!(self, s => s.write_all(buf))
    }

    /// Writes all of `bufs` in order, without joining them first: one `writev`
    /// over plain TCP when the socket takes it all, shared TLS records over TLS.
    pub fn write_all_vectored(&self, bufs: &mut [io::IoSlice<'_>]) -> io::Result<()> {
        either!(self, s => s.write_all_vectored(bufs))
    }

    /// Shuts down one or both halves (TLS sends close_notify first).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        either!(self, s => s.shutdown(how))
    }

    /// Sets the read timeout of each read call.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_read_timeout(timeout))
    }

    /// Sets the write timeout of each write call.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_write_timeout(timeout))
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.peer_addr())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.local_addr())
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
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
