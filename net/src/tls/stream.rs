//! A TLS connection over a [`TcpStream`].
//!
//! rustls does no I/O: we hand it ciphertext read from the socket and send what
//! it produces. No `RefCell` borrow of the rustls state is held while a call
//! suspends, so one coroutine can read while another writes. Ciphertext leaves
//! through one flusher at a time (`write_lock`): two coroutines interleaving the
//! bytes of their records would corrupt the stream.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use rustls_pki_types::ServerName;
use silly_runtime::sync::Semaphore;

use super::{ClientConfig, ServerConfig, TlsError};
use crate::dns::ToAddr;
use crate::read_buf::{BufReader, Fill};
use crate::tcp::TcpStream;
use crate::timeout::deadline;

/// Connects to `addr` over TCP and runs the TLS handshake, verifying that the
/// server's certificate is valid for `server_name` (unless the config says
/// otherwise). Connect and handshake together are bounded by the config's
/// handshake timeout.
///
/// # Errors
///
/// `InvalidInput` for a bad address or server name; the TCP error; `TimedOut`;
/// or `InvalidData` whose source is the [`rustls::Error`] (e.g. `invalid peer
/// certificate: UnknownIssuer`, or `NotValidForName`): see [`TlsStream::handshake`].
pub fn connect(
    addr: impl ToAddr,
    server_name: &str,
    config: &ClientConfig,
) -> io::Result<TlsStream> {
    let name = server_name_of(server_name)?;
    let started = Instant::now();
    let tcp = TcpStream::connect_timeout(addr, config.handshake_timeout)?;
    let remaining = config.handshake_timeout.saturating_sub(started.elapsed());
    let stream = TlsStream::client_with_name(tcp, name, config)?;
    stream.handshake_until(Some(Instant::now() + remaining))?;
    Ok(stream)
}

/// A TLS connection. Same API as [`TcpStream`]; see the [module docs](super).
/// A read timeout bounds each whole read call, as on TCP: see
/// [read timeouts](crate#read-timeouts).
///
/// One coroutine may read while another writes; two concurrent readers (or two
/// concurrent writers) of one stream are not supported.
///
/// `AsFd` and `AsRawFd` give the TCP socket's descriptor, for socket options
/// (`socket2::SockRef::from(&stream)`); reading or writing it directly would
/// corrupt the TLS stream.
pub struct TlsStream {
    tcp: TcpStream,
    tls: RefCell<rustls::Connection>,
    /// Plaintext buffered for `BufRead` and `read_until` (allocated on first
    /// use), and the read timeout.
    reader: BufReader,
    /// Ciphertext on its way to the socket; kept to reuse its allocation.
    outgoing: RefCell<Vec<u8>>,
    /// Held by whoever moves ciphertext to the socket.
    write_lock: Semaphore,
    /// Held by the one coroutine driving the handshake.
    handshake_lock: Semaphore,
    handshake_timeout: Duration,
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tls = self.tls.borrow();
        f.debug_struct("TlsStream")
            .field("tcp", &self.tcp)
            .field("handshaking", &tls.is_handshaking())
            .field("alpn", &tls.alpn_protocol().map(String::from_utf8_lossy))
            .finish()
    }
}

fn server_name_of(name: &str) -> io::Result<ServerName<'static>> {
    ServerName::try_from(name.to_owned())
        .map_err(|_| TlsError::InvalidServerName(name.to_owned()).into())
}

/// A TLS protocol failure as an `io::Error` whose source is the rustls error, so
/// callers can tell the reasons apart (`get_ref()` and `downcast_ref`).
fn tls_error(err: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err)
}

impl TlsStream {
    /// The server side of a TLS connection over an accepted TCP stream. The
    /// handshake runs on first use, or with [`handshake`](Self::handshake).
    ///
    /// # Errors
    ///
    /// `InvalidData` if rustls cannot start a connection with the config.
    pub fn server(tcp: TcpStream, config: &ServerConfig) -> io::Result<TlsStream> {
        let conn = rustls::ServerConnection::new(config.rustls.clone()).map_err(tls_error)?;
        Ok(Self::new(tcp, conn.into(), config.handshake_timeout))
    }

    /// The client side over a connected TCP stream (for protocols that start
    /// TLS later, like STARTTLS). The handshake runs on first use.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an invalid server name, with a
    /// [`TlsError::InvalidServerName`] inside.
    pub fn client(
        tcp: TcpStream,
        server_name: &str,
        config: &ClientConfig,
    ) -> io::Result<TlsStream> {
        let name = server_name_of(server_name)?;
        Self::client_with_name(tcp, name, config)
    }

    fn client_with_name(
        tcp: TcpStream,
        name: ServerName<'static>,
        config: &ClientConfig,
    ) -> io::Result<TlsStream> {
        let conn = rustls::ClientConnection::new(config.rustls.clone(), name).map_err(tls_error)?;
        Ok(Self::new(tcp, conn.into(), config.handshake_timeout))
    }

    fn new(tcp: TcpStream, tls: rustls::Connection, handshake_timeout: Duration) -> TlsStream {
        TlsStream {
            tcp,
            tls: RefCell::new(tls),
            reader: BufReader::default(),
            outgoing: RefCell::new(Vec::new()),
            write_lock: Semaphore::new(1),
            handshake_lock: Semaphore::new(1),
            handshake_timeout,
        }
    }

    /// Runs the handshake now if it has not run, bounded by the handshake
    /// timeout. Every read and write calls this first.
    ///
    /// # Errors
    ///
    /// `TimedOut`; `UnexpectedEof` if the peer closed during the handshake;
    /// `InvalidData` for a TLS failure (a plain-TCP peer, an untrusted or
    /// wrong-name certificate, no common protocol version), with the
    /// [`rustls::Error`] as its inner error:
    ///
    /// ```no_run
    /// # silly_runtime::run(|| {
    /// # let config = silly_net::tls::ClientConfig::default();
    /// let err = silly_net::tls::connect("example.com:443", "example.com", &config).unwrap_err();
    /// let reason = match err.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
    ///     Some(rustls::Error::InvalidCertificate(why)) => format!("bad certificate: {why:?}"),
    ///     _ => err.to_string(),
    /// };
    /// # drop(reason);
    /// # });
    /// ```
    pub fn handshake(&self) -> io::Result<()> {
        if !self.tls.borrow().is_handshaking() {
            return Ok(());
        }
        self.handshake_until(Some(Instant::now() + self.handshake_timeout))
    }

    /// [`handshake`](Self::handshake) bounded by `deadline` instead of the
    /// handshake timeout.
    pub(crate) fn handshake_until(&self, deadline: Option<Instant>) -> io::Result<()> {
        let _driver = self.handshake_lock.acquire();
        let result = self.drive_handshake(deadline);
        result.map_err(|err| match err.kind() {
            io::ErrorKind::TimedOut => {
                io::Error::new(io::ErrorKind::TimedOut, "tls handshake timed out")
            }
            io::ErrorKind::UnexpectedEof => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "tls handshake failed: the peer closed the connection",
            ),
            _ => err,
        })
    }

    fn drive_handshake(&self, deadline: Option<Instant>) -> io::Result<()> {
        loop {
            if self.tls.borrow().wants_write() {
                let _writer = self.write_lock.acquire();
                self.flush_tls(deadline)?;
            }
            if !self.tls.borrow().is_handshaking() {
                return Ok(());
            }
            if self.receive(deadline)? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Reads ciphertext from the socket (suspending until some arrives), hands it
    /// to rustls and sends what rustls answers. Returns `true` at EOF.
    fn receive(&self, deadline: Option<Instant>) -> io::Result<bool> {
        let (eof, processed) = self.tcp.consume_buffered(deadline, |mut bytes| {
            let mut tls = self.tls.borrow_mut();
            let eof = bytes.is_empty();
            let used = match tls.read_tls(&mut bytes) {
                Ok(n) => n,
                Err(err) => return (0, (eof, Err(err))),
            };
            let processed = tls.process_new_packets().map(|_| ()).map_err(tls_error);
            (used, (eof, processed))
        })?;
        let wants_write = self.tls.borrow().wants_write();
        if wants_write {
            // Alerts, handshake messages, key updates. If a writer is busy, it
            // flushes these with its own data.
            if let Some(_writer) = self.write_lock.try_acquire() {
                let flushed = self.flush_tls(deadline);
                if processed.is_ok() {
                    flushed?;
                }
            }
        }
        processed?;
        Ok(eof)
    }

    /// Moves every byte rustls wants to send to the socket. The caller holds
    /// `write_lock`.
    fn flush_tls(&self, deadline: Option<Instant>) -> io::Result<()> {
        let mut out = std::mem::take(&mut *self.outgoing.borrow_mut());
        let result = loop {
            out.clear();
            let produced = {
                let mut tls = self.tls.borrow_mut();
                let mut produced = Ok(0);
                while produced.is_ok() && tls.wants_write() {
                    produced = tls.write_tls(&mut out);
                }
                produced
            };
            if let Err(err) = produced {
                break Err(err);
            }
            if out.is_empty() {
                break Ok(());
            }
            if let Err(err) = self.tcp.write_all_until(&out, deadline) {
                break Err(err);
            }
        };
        *self.outgoing.borrow_mut() = out;
        result
    }

    /// Suspends until rustls has plaintext, EOF or an error for a read (running
    /// the handshake first if needed), or `deadline` passes.
    fn wait_plaintext(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.handshake()?;
        let mut eof = false;
        while self.no_plaintext() {
            if eof {
                // After EOF rustls answers Ok(0) (close_notify seen) or
                // UnexpectedEof; this is a guard against spinning at EOF.
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            eof = self.receive(deadline)?;
        }
        Ok(())
    }

    /// Whether a read of rustls's plaintext would block (no data, no EOF).
    fn no_plaintext(&self) -> bool {
        let mut tls = self.tls.borrow_mut();
        let mut reader = tls.reader();
        matches!(reader.fill_buf(), Err(err) if err.kind() == io::ErrorKind::WouldBlock)
    }

    /// Whether the connection is open with nothing to read (see
    /// [`TcpStream::is_idle_open`]): no plaintext or EOF held by rustls or the
    /// buffer, no ciphertext (a close_notify included) waiting in the socket.
    pub(crate) fn is_idle_open(&self) -> bool {
        !self.reader.has_buffered() && self.no_plaintext() && self.tcp.is_idle_open()
    }

    /// Reads plaintext rustls already holds, without suspending.
    fn read_decrypted(&self, out: &mut [u8]) -> io::Result<usize> {
        self.tls.borrow_mut().reader().read(out)
    }

    /// Suspends until a read would find data (or EOF, or an error), without
    /// reading: with [`try_read`](Self::try_read), `Conn` waits holding no buffer.
    pub(crate) fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()> {
        if self.reader.has_buffered() {
            return Ok(());
        }
        self.wait_plaintext(deadline)
    }

    /// Reads what is available without suspending: `WouldBlock` if nothing is.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read_through(buf, |b| self.read_decrypted(b))
    }

    /// Reads decrypted data into `buf`; `Ok(0)` once the peer closed cleanly
    /// (close_notify).
    ///
    /// # Errors
    ///
    /// `TimedOut` past the read timeout; `UnexpectedEof` if the peer closed the
    /// TCP connection without close_notify (a truncation); `InvalidData` for a
    /// TLS protocol error.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(self, buf)
    }

    /// Reads exactly `buf.len()` bytes (`UnexpectedEof` if the peer closes first);
    /// see [`TcpStream::read_exact`].
    pub fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(self, buf)
    }

    /// Reads until `delim` (included) or EOF; see [`TcpStream::read_until`].
    pub fn read_until(&self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        self.reader.read_until(self, delim, out)
    }

    /// Reads a line (through `\n`) into `out`; see [`TcpStream::read_line`].
    pub fn read_line(&self, out: &mut String) -> io::Result<usize> {
        self.reader.read_line(self, out)
    }

    /// Encrypts and sends all of `buf`, suspending while the peer does not read.
    ///
    /// # Errors
    ///
    /// `TimedOut` past the write timeout; the socket's error if it broke.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        self.write_all_vectored(&mut [io::IoSlice::new(buf)])
    }

    /// Encrypts and sends all of `bufs` in order; pieces that fit in one TLS
    /// record share it (a WebSocket header and its payload).
    ///
    /// # Errors
    ///
    /// As [`write_all`](Self::write_all).
    pub fn write_all_vectored(&self, bufs: &mut [io::IoSlice<'_>]) -> io::Result<()> {
        self.write_all_vectored_until(bufs, deadline(self.tcp.write_timeout()))
    }

    /// [`write_all_vectored`](Self::write_all_vectored) with an explicit
    /// deadline for the whole call (the handshake, if it has not run, keeps its
    /// own timeout).
    pub(crate) fn write_all_vectored_until(
        &self,
        mut bufs: &mut [io::IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        self.handshake()?;
        let _writer = self.write_lock.acquire();
        io::IoSlice::advance_slices(&mut bufs, 0);
        while !bufs.is_empty() {
            let n = self.tls.borrow_mut().writer().write_vectored(bufs)?;
            io::IoSlice::advance_slices(&mut bufs, n);
            // Flushing after every chunk keeps rustls's plaintext buffer small:
            // backpressure reaches the caller instead of piling up in memory.
            self.flush_tls(deadline)?;
            if n == 0 && !bufs.is_empty() {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        Ok(())
    }

    /// Sends all of `buf` (as [`write_all`](Self::write_all)) and returns its length.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    /// Nothing is buffered after `write` returns; here for `Write` users.
    pub fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    /// Shutting down the write half (or both) first sends TLS close_notify, so
    /// the peer reads a clean EOF; then the TCP half closes.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.tls.borrow_mut().send_close_notify();
            let _writer = self.write_lock.acquire();
            self.flush_tls(deadline(self.tcp.write_timeout()))?;
        }
        self.tcp.shutdown(how)
    }

    /// Sends close_notify (without waiting longer than the write timeout) and
    /// closes the connection. Dropping the stream closes it without close_notify.
    pub fn close(self) {
        let _ = self.shutdown(Shutdown::Write);
    }

    /// The protocol chosen by ALPN, once the handshake is done.
    pub fn alpn_protocol(&self) -> Option<Vec<u8>> {
        self.tls.borrow().alpn_protocol().map(<[u8]>::to_vec)
    }

    /// On the server side, the host name the client asked for by SNI.
    pub fn sni_hostname(&self) -> Option<String> {
        match &*self.tls.borrow() {
            rustls::Connection::Server(s) => s.server_name().map(str::to_owned),
            rustls::Connection::Client(_) => None,
        }
    }

    /// The underlying TCP stream (for its addresses and socket options; reading
    /// or writing it directly would corrupt the TLS stream).
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Limits how long one read call waits (default: no limit); on expiry the
    /// call returns `TimedOut` and the stream stays usable. The timeout bounds
    /// each whole call, however many reads it makes: see
    /// [read timeouts](crate#read-timeouts).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.reader.set_timeout(timeout);
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.reader.timeout()
    }

    /// Limits how long one write call waits for the peer to read.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.tcp.set_write_timeout(timeout);
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TlsStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(&self.tcp)
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TlsStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.tcp)
    }
}

impl Read for &TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        TlsStream::read(self, buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        TlsStream::read_exact(self, buf)
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        TlsStream::read(self, buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        TlsStream::read_exact(self, buf)
    }
}

impl Write for &TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        TlsStream::write(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        TlsStream::write(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl BufRead for TlsStream {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill(&*self)?;
        Ok(self.reader.buffered())
    }

    fn consume(&mut self, amt: usize) {
        self.reader.consume(amt);
    }

    fn read_until(&mut self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        TlsStream::read_until(self, delim, out)
    }

    fn read_line(&mut self, out: &mut String) -> io::Result<usize> {
        TlsStream::read_line(self, out)
    }
}

impl Fill for TlsStream {
    /// Reads decrypted data, receiving records until some arrives.
    fn fill(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        self.wait_plaintext(deadline)?;
        self.read_decrypted(buf)
    }
}
