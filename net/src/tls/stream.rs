//! A TLS connection over a [`TcpStream`].
//!
//! rustls does no I/O: we hand it ciphertext read from the socket and send what
//! it produces. No `RefCell` borrow of the rustls state is held while a call
//! suspends, so one coroutine can read while another writes. Ciphertext leaves
//! through one flusher at a time (`write_lock`): two coroutines interleaving the
//! bytes of their records would corrupt the stream.
//!
//! Interrupts: rustls's state changes only in calls that never suspend, so an
//! interrupt (which lands where a call suspends, in socket I/O) never tears it.
//! Ciphertext rustls handed over but the socket has not taken yet stays in
//! `outgoing` with how much of it went out, also when a flush is unwound: the
//! next flush, by whichever call, sends the rest first, so records on the wire
//! are always whole. A user write cut after rustls took part of its plaintext
//! closes the stream instead (see [`TlsStream::write_all`]).

use std::cell::RefCell;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls_pki_types::{CertificateDer, ServerName};
use silly_runtime::sync::{SelectWaiter, Selectable, Semaphore, Watch};
use silly_runtime::time::deadline;

use super::client_config::ClientConfig;
use super::error::TlsError;
use super::server_config::ServerConfig;
use crate::dns::ToAddr;
use crate::read_buf::{BufReader, Fill};
use crate::tcp::{TcpStream, TornWriteGuard};

/// Connects to `addr` over TCP and runs the TLS handshake, verifying that the
/// server's certificate is valid for `server_name` (unless the config says
/// otherwise). Connect and handshake together are bounded by the config's
/// handshake timeout.
///
/// # Errors
///
/// `InvalidInput` for a bad address or server name, or a config
/// [`ClientConfig::check`] refuses (the `ConfigError` is the source); the
/// TCP error; `TimedOut`;
/// or `InvalidData` whose source is the [`rustls::Error`] (e.g. `invalid peer
/// certificate: UnknownIssuer`, or `NotValidForName`): see [`TlsStream::handshake`].
///
/// # Interrupts
///
/// Nothing is left: the half-made stream closes, as for
/// [`TcpStream::connect`].
pub fn connect(
    addr: impl ToAddr,
    server_name: &str,
    config: &ClientConfig,
) -> io::Result<TlsStream> {
    let name = server_name_of(server_name)?;
    let rustls = config.rustls()?;
    let by = deadline(config.handshake_timeout);
    let tcp = TcpStream::connect_until(addr, by)?;
    let stream = TlsStream::client_with_name(tcp, name, rustls, config.handshake_timeout)?;
    stream.handshake_until(by)?;
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
    /// Ciphertext on its way to the socket, kept across an interrupted flush.
    outgoing: RefCell<Outgoing>,
    /// Held by whoever moves ciphertext to the socket.
    write_lock: Semaphore,
    /// Held by the one coroutine driving the handshake.
    handshake_lock: Semaphore,
    handshake_timeout: Option<Duration>,
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

/// Ciphertext taken from rustls for the socket (its allocation is reused).
#[derive(Default)]
struct Outgoing {
    bytes: Vec<u8>,
    /// How many of `bytes` the socket took.
    sent: usize,
}

/// The ciphertext being flushed, out of its cell while the flush suspends, and
/// back in it when the flush ends in any way, an unwind included: what is left
/// goes out first on the next flush.
struct Flushing<'a> {
    cell: &'a RefCell<Outgoing>,
    out: Outgoing,
}

impl Drop for Flushing<'_> {
    fn drop(&mut self) {
        *self.cell.borrow_mut() = std::mem::take(&mut self.out);
    }
}

fn server_name_of(name: &str) -> io::Result<ServerName<'static>> {
    ServerName::try_from(name.to_owned()).map_err(|source| {
        TlsError::InvalidServerName {
            name: name.to_owned(),
            source,
        }
        .into()
    })
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
    /// `InvalidInput` for a config [`ServerConfig::check`] refuses (the
    /// `ConfigError` is the source); `InvalidData` if rustls cannot start a
    /// connection with it.
    pub fn server(tcp: TcpStream, config: &ServerConfig) -> io::Result<TlsStream> {
        let conn = rustls::ServerConnection::new(config.rustls()?).map_err(tls_error)?;
        Ok(Self::new(tcp, conn.into(), config.handshake_timeout))
    }

    /// The client side over a connected TCP stream (for protocols that start
    /// TLS later, like STARTTLS). The handshake runs on first use.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an invalid server name, with a
    /// [`TlsError::InvalidServerName`] inside, or for a config
    /// [`ClientConfig::check`] refuses (the `ConfigError` is the source).
    pub fn client(
        tcp: TcpStream,
        server_name: &str,
        config: &ClientConfig,
    ) -> io::Result<TlsStream> {
        let name = server_name_of(server_name)?;
        Self::client_with_name(tcp, name, config.rustls()?, config.handshake_timeout)
    }

    fn client_with_name(
        tcp: TcpStream,
        name: ServerName<'static>,
        rustls: Arc<rustls::ClientConfig>,
        handshake_timeout: Option<Duration>,
    ) -> io::Result<TlsStream> {
        let conn = rustls::ClientConnection::new(rustls, name).map_err(tls_error)?;
        Ok(Self::new(tcp, conn.into(), handshake_timeout))
    }

    fn new(
        tcp: TcpStream,
        tls: rustls::Connection,
        handshake_timeout: Option<Duration>,
    ) -> TlsStream {
        TlsStream {
            tcp,
            tls: RefCell::new(tls),
            reader: BufReader::default(),
            outgoing: RefCell::new(Outgoing::default()),
            write_lock: Semaphore::new(1),
            handshake_lock: Semaphore::new(1),
            handshake_timeout,
        }
    }

    /// Runs the handshake now if it has not run, bounded by the handshake
    /// timeout. Every read and write calls this first.
    ///
    /// # Interrupts
    ///
    /// Whole: the handshake's state is in the stream, and handshake messages
    /// half sent are finished first; the next call (any read or write) goes on
    /// with the handshake where it stopped. An interrupted [`connect`] leaves
    /// nothing: its stream, half made, is dropped and its socket closed.
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
        self.handshake_until(deadline(self.handshake_timeout))
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
            if self.wants_flush() {
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
        if self.wants_flush() {
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

    /// Whether ciphertext waits to go out: produced by rustls, or left by a
    /// flush an interrupt cut (rustls no longer counts those bytes).
    fn wants_flush(&self) -> bool {
        if self.tls.borrow().wants_write() {
            return true;
        }
        let out = self.outgoing.borrow();
        out.sent < out.bytes.len()
    }

    /// Moves every byte rustls wants to send to the socket, after what an
    /// earlier flush left. The caller holds `write_lock`.
    fn flush_tls(&self, deadline: Option<Instant>) -> io::Result<()> {
        let mut flushing = Flushing {
            out: std::mem::take(&mut *self.outgoing.borrow_mut()),
            cell: &self.outgoing,
        };
        let out = &mut flushing.out;
        loop {
            if out.sent == out.bytes.len() {
                out.bytes.clear();
                out.sent = 0;
                let mut tls = self.tls.borrow_mut();
                while tls.wants_write() {
                    tls.write_tls(&mut out.bytes)?;
                }
                if out.bytes.is_empty() {
                    return Ok(());
                }
            }
            // One write(2) at a time, each counted at once: an interrupt
            // between them loses no account of what went out.
            match self.tcp.write_until(&out.bytes[out.sent..], deadline)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => out.sent += n,
            }
        }
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
    /// reading into a buffer of the caller's: with [`try_read`](Self::try_read)
    /// this lets a caller hold no buffer while it waits, as
    /// [`TcpStream::wait_readable`]. Records that arrive are decrypted into
    /// the stream (running the handshake first if it has not run).
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes; the errors of [`read`](Self::read).
    ///
    /// # Interrupts
    ///
    /// Whole: what it received stays in the stream for the next read.
    pub fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()> {
        if self.reader.has_buffered() {
            return Ok(());
        }
        self.wait_plaintext(deadline)
    }

    /// Reads what is available without suspending (decrypted data the stream
    /// holds): `WouldBlock` if nothing is. It does not read the socket: use
    /// [`wait_readable`](Self::wait_readable) first.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read_through(buf, |b| self.read_decrypted(b))
    }

    /// Reads decrypted data into `buf`; `Ok(0)` once the peer closed cleanly
    /// (close_notify).
    ///
    /// # Errors
    ///
    /// `TimedOut` past the read timeout; `UnexpectedEof` if the peer closed the
    /// TCP connection without close_notify (a truncation); `InvalidData` for a
    /// TLS protocol error; `BrokenPipe` once a cut write
    /// [closed](Self::is_closed) the stream (after the data that had arrived).
    ///
    /// # Interrupts
    ///
    /// Whole: records read are decrypted into the stream before any wait, and
    /// the call is interrupted only while it waits; the next read returns the
    /// data. Alerts or handshake messages it was sending in answer are
    /// finished by the next call that writes.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(self, buf)
    }

    /// Reads exactly `buf.len()` bytes (`UnexpectedEof` if the peer closes
    /// first); see [`TcpStream::read_exact`]: the bytes read before an error
    /// are kept in the stream.
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes read before the interrupt go back to the stream's
    /// buffer, and the next read returns them first.
    pub fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(self, buf)
    }

    /// Reads until `delim` (included) or EOF; see [`TcpStream::read_until`].
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes appended before the interrupt are taken back out of
    /// `out` and go back to the stream's buffer.
    pub fn read_until(&self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        self.reader.read_until(self, delim, out)
    }

    /// Reads a line (through `\n`) into `out`; see [`TcpStream::read_line`].
    ///
    /// # Interrupts
    ///
    /// Whole, as [`read_until`](Self::read_until).
    pub fn read_line(&self, out: &mut String) -> io::Result<usize> {
        self.reader.read_line(self, out)
    }

    /// Encrypts and sends all of `buf`, suspending while the peer does not read.
    ///
    /// # Errors
    ///
    /// `TimedOut` past the write timeout; the socket's error if it broke;
    /// `BrokenPipe` if a cut write [closed](Self::is_closed) the stream. If it
    /// fails after rustls took part of `buf`, the stream is closed, as for an
    /// interrupt.
    ///
    /// # Interrupts
    ///
    /// Closed if rustls had taken some of `buf`: the socket is shut at once,
    /// without close_notify, so the peer sees a truncated connection (an
    /// error), never a clean end after part of `buf`. Later calls fail with
    /// `BrokenPipe` saying why, and [`is_closed`](Self::is_closed) is true.
    /// Whole is not offered because rustls cannot take back records it has
    /// encrypted (their sequence numbers are spent), so whole would mean
    /// encrypting and holding the rest of `buf`, any size, to send before
    /// anything else: a write the caller was told did not finish. Whole if
    /// the interrupt came before rustls took any of `buf` (waiting for the
    /// handshake, or for another writer): records already encrypted, of this
    /// or an earlier call, are always finished before other bytes go out.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        self.write_all_vectored(&mut [io::IoSlice::new(buf)])
    }

    /// Encrypts and sends all of `bufs` in order; pieces that fit in one TLS
    /// record share it (a WebSocket header and its payload).
    ///
    /// # Errors
    ///
    /// As [`write_all`](Self::write_all).
    ///
    /// # Interrupts
    ///
    /// As [`write_all`](Self::write_all): closed if rustls had taken part of
    /// `bufs`, whole if not.
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
        self.tcp.check_open()?;
        self.handshake()?;
        let _writer = self.write_lock.acquire();
        io::IoSlice::advance_slices(&mut bufs, 0);
        let mut torn = TornWriteGuard::new(&self.tcp);
        while !bufs.is_empty() {
            let n = self.tls.borrow_mut().writer().write_vectored(bufs)?;
            torn.wrote(n);
            io::IoSlice::advance_slices(&mut bufs, n);
            // Flushing after every chunk keeps rustls's plaintext buffer small:
            // backpressure reaches the caller instead of piling up in memory.
            self.flush_tls(deadline)?;
            if n == 0 && !bufs.is_empty() {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        torn.done();
        Ok(())
    }

    /// Sends all of `buf` (as [`write_all`](Self::write_all)) and returns its length.
    ///
    /// # Interrupts
    ///
    /// As [`write_all`](Self::write_all).
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    /// Nothing is buffered after `write` returns; here for `Write` users.
    ///
    /// # Interrupts
    ///
    /// Never suspends.
    pub fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    /// Shutting down the write half (or both) first sends TLS close_notify, so
    /// the peer reads a clean EOF; then the TCP half closes.
    ///
    /// # Interrupts
    ///
    /// Closed: an interrupt (or an error) while close_notify waits for the
    /// peer to read shuts the halves asked for at once, without waiting (the
    /// peer then sees the connection end without close_notify).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.tls.borrow_mut().send_close_notify();
            let _writer = self.write_lock.acquire();
            let cut = ShutOnUnwind(&self.tcp, how);
            self.flush_tls(deadline(self.tcp.write_timeout()))?;
            std::mem::forget(cut);
        }
        self.tcp.shutdown(how)
    }

    /// Sends close_notify (without waiting longer than the write timeout) and
    /// closes the connection. Dropping the stream closes it without close_notify.
    ///
    /// # Interrupts
    ///
    /// The stream is gone either way; an interrupt cuts the wait for
    /// close_notify to go out.
    pub fn close(self) {
        let _ = self.shutdown(Shutdown::Write);
    }

    /// Whether the stream closed itself because a write was cut after rustls
    /// took part of its data (by an interrupt, the write timeout or an
    /// error); see [`TcpStream::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.tcp.is_closed()
    }

    /// The protocol chosen by ALPN, once the handshake is done.
    pub fn alpn_protocol(&self) -> Option<Vec<u8>> {
        self.tls.borrow().alpn_protocol().map(<[u8]>::to_vec)
    }

    /// The certificate chain the peer showed in the handshake, its own
    /// certificate first, each in DER (parse it with an X.509 crate for the
    /// subject and other fields); `None` before the handshake is done, or if
    /// the peer showed none.
    ///
    /// On the server side a client shows one only when the server asks, as
    /// a [`ServerConfig::from_rustls`] config with a client certificate
    /// verifier does (mutual TLS); the handshake fails before the handler
    /// runs if the verifier refuses the chain, so the handler of
    /// [`tls::listen`](super::listen) sees only chains it accepted. On the
    /// client side, the server's chain (verified unless the config says
    /// otherwise).
    pub fn peer_certificates(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.tls.borrow().peer_certificates().map(<[_]>::to_vec)
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

    /// Limits how long one write call waits for the peer to read. On expiry
    /// the call returns `TimedOut`; if rustls had taken part of its data, the
    /// stream is [closed](Self::is_closed).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.tcp.set_write_timeout(timeout);
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.tcp.write_timeout()
    }

    /// Sets `TCP_NODELAY` on the socket (on by default).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.tcp.set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.tcp.nodelay()
    }
}

/// In a [`Select`](silly_runtime::sync::Select): ready when a read would not
/// wait, as far as the stream knows: plaintext is buffered or decrypted and
/// not read yet (or rustls holds the end of the stream, or an error), or the
/// socket has ciphertext or an event no read consumed. The decrypted bytes
/// count because they are no longer in the socket: after a read that took
/// only part of a record, nothing more may arrive to wake the select. Socket
/// readiness may still be part of a record, or a handshake message with no
/// data: a read may then wait.
///
/// Looking is all it does: a select cut by an interrupt, or returning
/// another operation, leaves the stream as it was.
impl Selectable for TlsStream {
    fn is_ready(&self) -> bool {
        self.reader.has_buffered() || !self.no_plaintext() || Selectable::is_ready(&self.tcp)
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        self.tcp.watch(waiter)
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

/// Shuts the socket's halves a `shutdown` was asked for if close_notify does
/// not get out (an interrupt or an error): the shutdown happens all the same.
struct ShutOnUnwind<'a>(&'a TcpStream, Shutdown);

impl Drop for ShutOnUnwind<'_> {
    fn drop(&mut self) {
        let _ = self.0.shutdown(self.1);
    }
}

impl Fill for TlsStream {
    /// Reads decrypted data, receiving records until some arrives.
    fn fill(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        self.wait_plaintext(deadline)?;
        self.read_decrypted(buf)
    }
}
