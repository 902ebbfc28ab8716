//! A TCP connection.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use silly_runtime::io::{Interest, Registered};
use silly_runtime::sync::{SelectWaiter, Selectable, Watch};
use silly_runtime::time::deadline;

use crate::dns::ToAddr;
use crate::metrics;
use crate::read_buf::{BufReader, Fill};

/// A TCP connection. Reads and writes suspend the calling coroutine until the
/// socket is ready; other coroutines run meanwhile.
///
/// The I/O methods take `&self`, so one coroutine can read while another writes
/// (share it with `Rc<TcpStream>`). `std::io::{Read, Write}` are implemented for
/// `TcpStream` and `&TcpStream`, `BufRead` for `TcpStream`: blocking Rust
/// libraries work on it unchanged inside a coroutine.
///
/// A read timeout bounds each whole read call (`read_exact`, `read_line`, …), not
/// each wait inside it: see [read timeouts](crate#read-timeouts).
///
/// Writes apply backpressure: when the kernel's send buffer is full, the writer
/// is suspended until the peer has read; nothing is queued in user space.
///
/// Dropping the stream (or [`close`](Self::close)) deregisters and closes the
/// socket, also when its coroutine is unwound while blocked on it.
///
/// Socket options this API does not cover (keep-alive probes, buffer sizes) are
/// set through the file descriptor: the stream implements `AsFd` and `AsRawFd`,
/// so `socket2::SockRef::from(&stream)` works. Use the descriptor for options
/// only: reading or writing it directly would bypass the stream's read buffer,
/// and changing its blocking mode would stall the runtime.
///
/// ```
/// use silly_net::tcp::{self, TcpStream};
/// use std::os::fd::AsRawFd;
///
/// silly_runtime::run(|| {
///     let server = tcp::listen("127.0.0.1:0", |conn| {
///         // An accepted socket, as `socket2::SockRef::from(&conn)` would see it.
///         assert!(conn.as_raw_fd() >= 0);
///     })
///     .unwrap();
///     let client = TcpStream::connect(server.local_addr()).unwrap();
///     assert!(client.as_raw_fd() >= 0);
///     server.close();
/// });
/// ```
pub struct TcpStream {
    io: Registered<mio::net::TcpStream>,
    /// Read buffer and read timeout.
    reader: BufReader,
    write_timeout: Cell<Option<Duration>>,
    /// Set when a write was cut after part of its bytes went out: the socket
    /// is shut and every later call says why (see [`is_closed`](Self::is_closed)).
    torn: Cell<bool>,
}

/// The error of every call on a stream a cut write closed.
fn torn_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "connection closed: an interrupted write left a partial write",
    )
}

/// Closes the stream if a multi-step write ends, by an error or an interrupt,
/// after some of its bytes went out: the peer then sees the connection end
/// instead of a torn message run into the next one. Disarmed on success.
pub(crate) struct TornWriteGuard<'a> {
    stream: &'a TcpStream,
    /// Whether some of the call's bytes went out (and not all yet).
    partial: bool,
}

impl<'a> TornWriteGuard<'a> {
    pub(crate) fn new(stream: &'a TcpStream) -> Self {
        TornWriteGuard {
            stream,
            partial: false,
        }
    }

    /// Records that bytes of the call went out.
    pub(crate) fn wrote(&mut self, n: usize) {
        self.partial |= n > 0;
    }

    /// The call finished: nothing to close.
    pub(crate) fn done(mut self) {
        self.partial = false;
    }
}

impl Drop for TornWriteGuard<'_> {
    fn drop(&mut self) {
        if self.partial {
            self.stream.close_torn();
        }
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .finish()
    }
}

impl Fill for TcpStream {
    /// Reads from the socket, parking until data, EOF or the deadline.
    fn fill(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize> {
        let read = self
            .io
            .io(Interest::READABLE, deadline, |mut s| s.read(buf));
        metrics::read(&read);
        let n = self.torn_check(read)?;
        if n > 0 && n < buf.len() {
            // Edge-triggered: a short read drained the socket; the next byte to
            // arrive is a new event. Parking right away saves a futile read(2).
            self.io.clear_ready(Interest::READABLE);
        }
        Ok(n)
    }
}

impl TcpStream {
    /// Connects to `addr` (a silly-style string or a `SocketAddr`), trying each
    /// resolved address in turn.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a malformed address, the resolver's error, or the last
    /// connect error (e.g. `ConnectionRefused`).
    ///
    /// # Interrupts
    ///
    /// Nothing is left: the half-made stream closes (a lookup that was
    /// running finishes in its thread, its answer dropped).
    pub fn connect(addr: impl ToAddr) -> io::Result<TcpStream> {
        Self::connect_until(addr, None)
    }

    /// Like [`connect`](Self::connect), but gives up with `TimedOut` once `timeout`
    /// has passed (`None`: no limit, as `connect`; a timeout too large for the
    /// clock, such as `Duration::MAX`, is no limit either). It bounds name
    /// resolution and the connects together.
    ///
    /// # Interrupts
    ///
    /// Nothing is left: the half-made stream closes.
    pub fn connect_timeout(addr: impl ToAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
        Self::connect_until(addr, deadline(timeout))
    }

    /// [`connect`](Self::connect), giving up with `TimedOut` at `deadline`.
    pub(crate) fn connect_until(
        addr: impl ToAddr,
        deadline: Option<Instant>,
    ) -> io::Result<TcpStream> {
        let addrs = addr.to_addr()?.resolve_until(deadline)?;
        let mut last_error = None;
        for addr in addrs {
            match Self::connect_one(addr, deadline) {
                Ok(stream) => return Ok(stream),
                Err(err) if deadline.is_some_and(|d| Instant::now() >= d) => return Err(err),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to")))
    }

    fn connect_one(addr: SocketAddr, deadline: Option<Instant>) -> io::Result<TcpStream> {
        let io = Registered::new(mio::net::TcpStream::connect(addr)?)?;
        // mio's contract: the connect has finished when the socket turns writable;
        // then take_error says whether it failed, peer_addr whether it is done.
        io.io(Interest::WRITABLE, deadline, |s| {
            if let Some(err) = s.take_error()? {
                return Err(err);
            }
            match s.peer_addr() {
                Ok(_) => Ok(()),
                Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(err) => Err(err),
            }
        })?;
        Self::from_registered(io)
    }

    pub(crate) fn from_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Self::from_registered(Registered::new(stream)?)
    }

    fn from_registered(io: Registered<mio::net::TcpStream>) -> io::Result<TcpStream> {
        io.get_ref().set_nodelay(true)?;
        Ok(TcpStream {
            io,
            reader: BufReader::default(),
            write_timeout: Cell::new(None),
            torn: Cell::new(false),
        })
    }

    /// Wraps a connected standard-library stream (it is switched to non-blocking).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Self::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// Reads what is available into `buf` (at least one byte), suspending until
    /// data arrives. `Ok(0)` means the peer closed its side (after all its data).
    ///
    /// # Errors
    ///
    /// `TimedOut` if a read timeout is set and passes (the stream stays usable);
    /// `ConnectionReset` and the like if the connection broke; `BrokenPipe`
    /// once a cut write [closed](Self::is_closed) the stream (after the bytes
    /// that had arrived).
    ///
    /// # Interrupts
    ///
    /// Whole: the call is interrupted only while it waits, before it takes any
    /// byte; the next read returns the data.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        // Data already there needs no deadline, and so no clock read.
        if self.io.is_ready(Interest::READABLE) || self.reader.has_buffered() {
            match self.try_read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                result => return result,
            }
        }
        self.reader.read(self, buf)
    }

    /// Reads exactly `buf.len()` bytes.
    ///
    /// # Errors
    ///
    /// `UnexpectedEof` if the peer closes first, or any error of
    /// [`read`](Self::read). Unlike `std`, the bytes read before the error are
    /// not lost: they stay in the stream, and the next read returns them (what
    /// `buf` holds then is unspecified).
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes read before the interrupt go back to the stream's
    /// buffer, and the next read returns them first.
    pub fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact(self, buf)
    }

    /// Reads until `delim` (included) or EOF, appending to `out`; returns the
    /// bytes appended (0 at EOF). Same contract as `BufRead::read_until`, on `&self`:
    /// on an error, the bytes read so far stay in `out`. The read timeout bounds
    /// the whole call.
    ///
    /// There is no length limit: on untrusted input, prefer a bounded loop over
    /// `fill_buf` or `read`.
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes appended before the interrupt are taken back out of
    /// `out` (it is as it was) and go back to the stream's buffer, so the next
    /// read returns them; `out` may not outlive the interrupt, the stream does.
    pub fn read_until(&self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        self.reader.read_until(self, delim, out)
    }

    /// Suspends until a read would find data (or EOF, or an error), without
    /// reading. With [`try_read`](Self::try_read) this lets a caller hold no
    /// buffer while it waits: an idle connection then costs no read buffer.
    ///
    /// # Errors
    ///
    /// `TimedOut` once `deadline` passes.
    ///
    /// # Interrupts
    ///
    /// Whole: it reads nothing.
    pub fn wait_readable(&self, deadline: Option<Instant>) -> io::Result<()> {
        if self.reader.has_buffered() || self.io.is_ready(Interest::READABLE) {
            return Ok(());
        }
        self.io.wait(Interest::READABLE, deadline)
    }

    /// Reads what is available without suspending: `WouldBlock` if nothing is.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read_through(buf, |b| {
            let mut source = self.io.get_ref();
            let result = self.torn_check(source.read(b));
            metrics::read(&result);
            match &result {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.io.clear_ready(Interest::READABLE)
                }
                Ok(n) if *n > 0 && *n < b.len() => self.io.clear_ready(Interest::READABLE),
                _ => {}
            }
            result
        })
    }

    /// Whether the connection is open with nothing to read, as a non-blocking
    /// peek that would block shows. False once the peer has closed or reset it,
    /// or has sent bytes nobody has read: a client pool reuses a connection only
    /// when this holds. Never suspends.
    pub(crate) fn is_idle_open(&self) -> bool {
        if self.reader.has_buffered() {
            return false;
        }
        let mut byte = [0u8; 1];
        loop {
            match self.io.get_ref().peek(&mut byte) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return e.kind() == io::ErrorKind::WouldBlock,
                // EOF, or bytes that are not the answer to a request not yet sent.
                Ok(_) => return false,
            }
        }
    }

    /// Hands buffered input to `consume`, first filling the buffer from the socket
    /// (suspending until data, EOF or `deadline`) if it is empty; at EOF `consume`
    /// gets an empty slice. `consume` returns how many bytes it used and must not
    /// suspend. The TLS layer reads ciphertext through this, so both share one buffer.
    pub(crate) fn consume_buffered<R>(
        &self,
        deadline: Option<Instant>,
        consume: impl FnOnce(&[u8]) -> (usize, R),
    ) -> io::Result<R> {
        self.reader.consume_buffered(self, deadline, consume)
    }

    /// Reads a line (through `\n`, included) into `out`; returns the bytes read.
    ///
    /// # Errors
    ///
    /// `InvalidData` if the line is not UTF-8 (`out` is left unchanged), or any
    /// error of [`read`](Self::read).
    ///
    /// # Interrupts
    ///
    /// Whole, as [`read_until`](Self::read_until): the part of the line read
    /// before the interrupt goes back to the stream, `out` is as it was.
    pub fn read_line(&self, out: &mut String) -> io::Result<usize> {
        self.reader.read_line(self, out)
    }

    /// Writes some of `buf`, suspending while the send buffer is full.
    ///
    /// # Errors
    ///
    /// `TimedOut` if a write timeout is set and passes; `BrokenPipe`,
    /// `ConnectionReset` and the like if the connection broke, or if a cut
    /// write [closed](Self::is_closed) the stream.
    ///
    /// # Interrupts
    ///
    /// Whole: it is interrupted only while it waits, before any byte went out.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_until(buf, deadline(self.write_timeout.get()))
    }

    /// [`write`](Self::write) with an explicit deadline: one `write(2)`, so
    /// whole under an interrupt (a caller that loops keeps its own progress).
    pub(crate) fn write_until(&self, buf: &[u8], deadline: Option<Instant>) -> io::Result<usize> {
        self.check_open()?;
        let written = self
            .io
            .io(Interest::WRITABLE, deadline, |mut s| s.write(buf));
        metrics::written(&written);
        let n = written?;
        if n < buf.len() {
            self.io.clear_ready(Interest::WRITABLE);
        }
        Ok(n)
    }

    /// Writes all of `buf`, suspending as long as the peer does not read (the
    /// write timeout, if set, bounds the whole call).
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write). If it fails after part of `buf` went out
    /// (the write timeout passed, the connection broke), the stream is
    /// [closed](Self::is_closed), as for an interrupt.
    ///
    /// # Interrupts
    ///
    /// Closed if some of `buf` had gone out: the socket is shut at once (the
    /// peer sees the connection end, never the prefix of `buf` run into the
    /// next write), later calls fail with `BrokenPipe` saying so, and
    /// [`is_closed`](Self::is_closed) is true. Whole would mean keeping the
    /// rest of `buf` (any size) to send before anything else, a write the
    /// caller was told did not finish. Whole if nothing had gone out.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        self.check_open()?;
        // Most writes fit in the socket buffer at once: only one that has to wait
        // needs its deadline, and so a clock read.
        let written = self.try_write(buf)?;
        if written == buf.len() {
            return Ok(());
        }
        let mut torn = TornWriteGuard::new(self);
        torn.wrote(written);
        self.write_all_torn(
            &buf[written..],
            deadline(self.write_timeout.get()),
            &mut torn,
        )?;
        torn.done();
        Ok(())
    }

    /// Writes all of `bufs`, in order, as if they were one buffer, with as few
    /// syscalls as the kernel allows (`writev`): a header and a payload go out
    /// together without being copied into one buffer first. Same timeout rule as
    /// [`write_all`](Self::write_all).
    ///
    /// ```no_run
    /// use std::io::IoSlice;
    /// use silly_net::tcp::TcpStream;
    ///
    /// silly_runtime::run(|| {
    ///     let conn = TcpStream::connect("127.0.0.1:8080").unwrap();
    ///     let body = b"hello";
    ///     let head = format!("{}\n", body.len());
    ///     conn.write_all_vectored(&mut [IoSlice::new(head.as_bytes()), IoSlice::new(body)])
    ///         .unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// As [`write_all`](Self::write_all); what was written before an error is
    /// not reported (the stream is closed if it was part of `bufs`).
    ///
    /// # Interrupts
    ///
    /// As [`write_all`](Self::write_all): closed if part of `bufs` had gone
    /// out, whole if nothing had.
    pub fn write_all_vectored(&self, bufs: &mut [io::IoSlice<'_>]) -> io::Result<()> {
        self.write_all_vectored_by(bufs, || deadline(self.write_timeout.get()))
    }

    /// [`write_all_vectored`](Self::write_all_vectored) with an explicit
    /// deadline for the whole call.
    pub(crate) fn write_all_vectored_until(
        &self,
        bufs: &mut [io::IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        self.write_all_vectored_by(bufs, || deadline)
    }

    /// `write_all_vectored` under the deadline `due` gives, asked for on the
    /// first wait only: a write that fits reads no clock.
    fn write_all_vectored_by(
        &self,
        mut bufs: &mut [io::IoSlice<'_>],
        due: impl Fn() -> Option<Instant>,
    ) -> io::Result<()> {
        self.check_open()?;
        io::IoSlice::advance_slices(&mut bufs, 0);
        let mut first_wait: Option<Option<Instant>> = None;
        let mut torn = TornWriteGuard::new(self);
        while !bufs.is_empty() {
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            let n = match self.try_write_with(total, |mut s| s.write_vectored(bufs))? {
                0 => {
                    let deadline = *first_wait.get_or_insert_with(&due);
                    let written = self
                        .io
                        .io(Interest::WRITABLE, deadline, |mut s| s.write_vectored(bufs));
                    metrics::written(&written);
                    let n = written?;
                    if n == 0 {
                        return Err(io::ErrorKind::WriteZero.into());
                    }
                    if n < total {
                        self.io.clear_ready(Interest::WRITABLE);
                    }
                    n
                }
                n => n,
            };
            torn.wrote(n);
            io::IoSlice::advance_slices(&mut bufs, n);
        }
        torn.done();
        Ok(())
    }

    /// Writes what of `bufs` fits in the send buffer now, in order, with one
    /// `writev`, never suspending: the corked write of a fan-out, which must
    /// not wait on one slow peer while others have data queued.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if the socket takes nothing now (wait for it with a
    /// blocking write); `BrokenPipe`, `ConnectionReset` and the like if the
    /// connection broke. `Ok(0)` only for empty `bufs`.
    pub fn try_write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.check_open()?;
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        match self.try_write_with(total, |mut s| s.write_vectored(bufs))? {
            0 if total > 0 => Err(io::ErrorKind::WouldBlock.into()),
            n => Ok(n),
        }
    }

    /// Writes what fits without suspending; `Ok(0)` when nothing does.
    fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.try_write_with(buf.len(), |mut s| s.write(buf))
    }

    /// Runs `write` (of `len` bytes) if the socket may take some, keeping the
    /// readiness flag true to what it did; `Ok(0)` when nothing was written.
    fn try_write_with(
        &self,
        len: usize,
        write: impl FnOnce(&mio::net::TcpStream) -> io::Result<usize>,
    ) -> io::Result<usize> {
        if len == 0 || !self.io.is_ready(Interest::WRITABLE) {
            return Ok(0);
        }
        let written = write(self.io.get_ref());
        metrics::written(&written);
        match written {
            Ok(n) => {
                if n < len {
                    self.io.clear_ready(Interest::WRITABLE);
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.io.clear_ready(Interest::WRITABLE);
                Ok(0)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// The rest of a `write_all` under `deadline`, its progress told to `torn`.
    fn write_all_torn(
        &self,
        mut buf: &[u8],
        deadline: Option<Instant>,
        torn: &mut TornWriteGuard<'_>,
    ) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write_until(buf, deadline)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => {
                    torn.wrote(n);
                    buf = &buf[n..];
                }
            }
        }
        Ok(())
    }

    /// `Ok` unless a cut write closed the stream.
    pub(crate) fn check_open(&self) -> io::Result<()> {
        if self.torn.get() {
            return Err(torn_error());
        }
        Ok(())
    }

    /// A read's result, turned into the closed error once the stream is
    /// closed (the shut socket reads EOF): checked only off the data path.
    fn torn_check(&self, result: io::Result<usize>) -> io::Result<usize> {
        match result {
            Ok(0) | Err(_) if self.torn.get() => Err(torn_error()),
            other => other,
        }
    }

    /// Shuts the socket in both directions because a write was cut midway,
    /// and wakes whoever waits on it so they see why. Never suspends: it
    /// runs from a drop guard while an interrupt unwinds.
    pub(crate) fn close_torn(&self) {
        self.torn.set(true);
        let _ = self.io.get_ref().shutdown(Shutdown::Both);
        self.io.wake_all();
    }

    /// Whether the stream closed itself because a write was cut after part of
    /// its data went out (by an interrupt, the write timeout or an error):
    /// see [interrupts](crate#interrupts). The socket is shut; writes fail
    /// with `BrokenPipe` saying why, and so do reads once the bytes that had
    /// arrived are read.
    pub fn is_closed(&self) -> bool {
        self.torn.get()
    }

    /// Nothing to do: the stream keeps no write buffer. Here for `Write` users.
    ///
    /// # Interrupts
    ///
    /// Never suspends.
    pub fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    /// Shuts down the read, write or both halves. `Shutdown::Write` sends FIN:
    /// the peer reads EOF while this side can still read.
    ///
    /// # Interrupts
    ///
    /// Never suspends.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match self.io.get_ref().shutdown(how) {
            Err(err) if err.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        }
    }

    /// Closes the connection (same as dropping it).
    pub fn close(self) {}

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Limits how long one read call waits (`None`, the default: no limit). A read
    /// that runs out of time returns `ErrorKind::TimedOut`; the stream stays usable.
    /// The timeout bounds each whole call, however many reads it makes: see
    /// [read timeouts](crate#read-timeouts).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.reader.set_timeout(timeout);
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.reader.timeout()
    }

    /// Limits how long one write call waits for the peer to read (`None`, the
    /// default: no limit). On expiry the call returns `ErrorKind::TimedOut`; if
    /// part of a `write_all`'s data had been sent, the stream is
    /// [closed](Self::is_closed).
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        self.write_timeout.set(timeout);
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout.get()
    }

    /// Sets `TCP_NODELAY` (on by default).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }
}

/// In a [`Select`](silly_runtime::sync::Select): ready when a read would not
/// wait, as far as the runtime knows: bytes are buffered, or the socket had
/// an event no read consumed yet (data, EOF or an error). A read may then
/// still find nothing and wait.
impl Selectable for TcpStream {
    fn is_ready(&self) -> bool {
        self.reader.has_buffered() || Selectable::is_ready(&self.io)
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        self.io.watch(waiter)
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self.io.get_ref())
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
    }
}

impl Read for &TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::read(self, buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        TcpStream::read_exact(self, buf)
    }
}

impl Read for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::read(self, buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        TcpStream::read_exact(self, buf)
    }
}

impl Write for &TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        TcpStream::write(self, buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        TcpStream::write_all(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        TcpStream::write(self, buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        TcpStream::write_all(self, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl BufRead for TcpStream {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill(&*self)?;
        Ok(self.reader.buffered())
    }

    fn consume(&mut self, amt: usize) {
        self.reader.consume(amt);
    }

    fn read_until(&mut self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        TcpStream::read_until(self, delim, out)
    }

    fn read_line(&mut self, out: &mut String) -> io::Result<usize> {
        TcpStream::read_line(self, out)
    }
}
