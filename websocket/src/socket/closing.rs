//! The close handshake (RFC 6455, sections 5.5.1 and 7): answering the peer's
//! close frame, failing the connection when the peer broke a rule, starting a
//! close and waiting for the answer, and closing TCP: the one place where a
//! connection ends.

use std::cell::{Cell, OnceCell, RefCell};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use silly_net::Conn;
use silly_runtime::sync::Notify;
use silly_runtime::time::deadline;

use super::owed::shut_now;
use super::reader::{Reader, Stop};
use super::writer::Writer;
use crate::close;
use crate::error::{Error, Result};
use crate::frame::FrameType;
use crate::rules::{Rules, Violation};

/// Most payload bytes dropped to find the peer's close after we failed the
/// connection; beyond this we close without waiting for it.
const MAX_SKIP: u64 = 1024 * 1024;

/// Called when a connection ends.
type EndHook = Box<dyn FnOnce()>;

/// Where the connection is in its life (RFC 6455, section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Open,
    /// We sent a close frame (or answered the peer's) and wait for the rest
    /// of the handshake.
    CloseSent,
    /// Both close frames have passed, or the connection failed: TCP is closed.
    Closed,
}

/// What the close handshake works with: the socket's connection, its writer,
/// and the rules for what the peer sends.
#[derive(Clone, Copy)]
pub(super) struct ConnParts<'a> {
    pub(super) conn: &'a Conn,
    pub(super) writer: &'a Writer,
    pub(super) rules: &'a Rules,
}

/// The state of the close handshake of one socket.
pub(super) struct Closing {
    state: Cell<State>,
    /// The peer's close code and reason, once received.
    peer: RefCell<Option<(u16, String)>>,
    /// Wakes a `close` that waits for the coroutine in `read` to end the
    /// connection. Made by the first such `close`: most connections never
    /// need one, and an idle connection holds nothing for it.
    ended: OnceCell<Notify>,
    /// Client side: after the handshake, wait for the server to close TCP.
    client: bool,
    /// `Config::close_timeout` (`None`: no limit).
    timeout: Option<Duration>,
    /// Called once when the connection ends, by key (a hub forgets its
    /// subscriber with it). Empty, and so no allocation, for most sockets.
    on_end: RefCell<Vec<(u64, EndHook)>>,
    /// Why the connection was ended at once, without a close handshake
    /// (see [`abort`](Self::abort)): what later calls report.
    aborted: Cell<Option<Ended>>,
}

/// Why a connection was ended at once.
#[derive(Debug, Clone, Copy)]
enum Ended {
    /// For the reason given ([`Error::Aborted`]).
    Aborted(&'static str),
    /// The peer answered no keepalive ping ([`Error::PingTimeout`]).
    PingTimeout,
}

/// Why a socket ended itself when its close handshake was cut short.
const CLOSE_CUT: &str =
    "the close handshake was cut short (an interrupt): the connection was closed";

/// Why a socket ended itself after a socket error.
const BROKEN: &str = "the connection failed (a socket error, such as a reset)";

/// Ends the connection at once if dropped while armed: the close handshake
/// is cut short (an interrupt unwinds it) and cannot be taken up again by
/// another call, and the caller who cut it wanted the connection over.
struct EndIfCut<'a> {
    closing: &'a Closing,
    conn: &'a Conn,
    armed: bool,
}

impl Drop for EndIfCut<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.closing.abort(self.conn, CLOSE_CUT);
            shut_now(self.conn);
        }
    }
}

impl Closing {
    pub(super) fn new(client: bool, timeout: Option<Duration>) -> Closing {
        Closing {
            state: Cell::new(State::Open),
            peer: RefCell::new(None),
            ended: OnceCell::new(),
            client,
            timeout,
            on_end: RefCell::new(Vec::new()),
            aborted: Cell::new(None),
        }
    }

    /// The error for a call on a closed socket: why it was ended at once,
    /// or [`Error::Closed`] after a close handshake.
    pub(super) fn closed_error(&self) -> Error {
        match self.aborted.get() {
            Some(Ended::Aborted(why)) => Error::Aborted(why),
            Some(Ended::PingTimeout) => Error::PingTimeout,
            None => Error::Closed,
        }
    }

    /// Ends the connection at once for `why`, without suspending (so from a
    /// drop guard while a coroutine unwinds too): TCP is shut, under TLS
    /// without a close_notify (a write that may wait); the peer sees the
    /// connection end.
    pub(super) fn abort(&self, conn: &Conn, why: &'static str) {
        self.end_at_once(conn, Ended::Aborted(why));
    }

    /// Ends the connection at once, as [`abort`](Self::abort), because the
    /// peer answered no keepalive ping in time.
    pub(super) fn ping_timed_out(&self, conn: &Conn) {
        self.end_at_once(conn, Ended::PingTimeout);
    }

    fn end_at_once(&self, conn: &Conn, why: Ended) {
        if self.is_closed() {
            return;
        }
        log::debug!("websocket ended: {why:?}");
        self.aborted.set(Some(why));
        shut_now(conn);
        self.mark_ended();
    }

    /// Wakes a `close` that waits for the coroutine in `read`, which has left
    /// (cut short): the `close` reads the peer's answer itself.
    pub(super) fn reader_left(&self) {
        if let Some(ended) = self.ended.get() {
            ended.notify_waiters();
        }
    }

    pub(super) fn state(&self) -> State {
        self.state.get()
    }

    /// Whether messages may still be sent and are still delivered.
    pub(super) fn is_open(&self) -> bool {
        self.state.get() == State::Open
    }

    pub(super) fn is_closed(&self) -> bool {
        self.state.get() == State::Closed
    }

    pub(super) fn peer_close(&self) -> Option<(u16, String)> {
        self.peer.borrow().clone()
    }

    /// The error for a read that stopped: the end of the connection as it is,
    /// or a broken rule, for which the connection is failed first.
    pub(super) fn stop(&self, parts: ConnParts<'_>, r: &mut Reader, stop: Stop) -> Error {
        if self.aborted.get().is_some() {
            // Ended at once while this read waited: why, not the end it saw.
            return self.closed_error();
        }
        match stop {
            // The connection stays usable: a timeout is the caller's to judge.
            Stop::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => Error::Io(e),
            // A reset, a TLS error: nothing more will come.
            Stop::Io(e) => {
                self.abort(parts.conn, BROKEN);
                Error::Io(e)
            }
            Stop::Eof => {
                self.terminate(parts.conn);
                Error::Eof {
                    partial: r.take_message(),
                }
            }
            // A bad close frame is still the peer's last word: no other comes.
            Stop::Header(violation, h) if h.opcode == FrameType::Close.opcode() => {
                self.fail(parts, r, violation, None)
            }
            Stop::Header(violation, h) => self.fail(parts, r, violation, Some(h.len)),
            Stop::Payload(violation, unread) => self.fail(parts, r, violation, Some(unread)),
        }
    }

    /// A close frame arrived: answer it (unless we started the close), close
    /// the connection, and hand its code and reason back for the caller.
    pub(super) fn on_close_frame(
        &self,
        parts: ConnParts<'_>,
        r: &mut Reader,
        payload: Vec<u8>,
    ) -> Result<Option<(u16, String)>> {
        let parsed = match close::parse_close(&payload) {
            Ok(parsed) => parsed,
            // The peer's close was its last frame: answer and close, without waiting.
            Err(bad) => return Err(self.fail(parts, r, bad.into(), None)),
        };
        crate::metrics::close_received(&payload);
        *self.peer.borrow_mut() = parsed.clone();
        let mut cut = EndIfCut {
            closing: self,
            conn: parts.conn,
            armed: true,
        };
        if self.is_open() {
            self.state.set(State::CloseSent);
            // 5.5.1: "the endpoint MUST send a Close frame in response. (When
            // sending a Close frame in response, the endpoint typically echos
            // the status code it received.)" An empty close gets an empty one.
            let reply = match &parsed {
                Some((c, _)) => close::payload(*c, ""),
                None => Vec::new(),
            };
            crate::metrics::close_sent(&reply);
            let _ = parts
                .writer
                .send_control(parts.conn, FrameType::Close, &reply);
        }
        self.finish(parts.conn, r);
        cut.armed = false;
        Ok(parsed)
    }

    /// Fails the connection (RFC 6455, section 7.1.7): sends a close frame
    /// with the violation's code and reason, waits (bounded) for the peer's close, closes
    /// TCP.
    ///
    /// `skip` is how much of the offending frame's payload is still unread: it
    /// is dropped first so the peer's close frame is found where it starts.
    /// `None`, or a frame too large to skip, means no waiting: the connection
    /// just closes.
    fn fail(
        &self,
        parts: ConnParts<'_>,
        r: &mut Reader,
        violation: Violation,
        skip: Option<u64>,
    ) -> Error {
        log::debug!(
            "websocket failed: {} (closing with {})",
            violation.reason,
            violation.code
        );
        let mut cut = EndIfCut {
            closing: self,
            conn: parts.conn,
            armed: true,
        };
        if self.is_open() {
            let payload = close::payload(violation.code, violation.reason);
            crate::metrics::close_sent(&payload);
            let _ = parts
                .writer
                .send_control(parts.conn, FrameType::Close, &payload);
            self.state.set(State::CloseSent);
            if let Some(skip) = skip.filter(|&skip| skip <= MAX_SKIP) {
                self.await_peer_close(parts, r, skip, deadline(self.timeout));
            }
        }
        self.terminate(parts.conn);
        cut.armed = false;
        Error::Protocol {
            code: violation.code,
            reason: violation.reason,
        }
    }

    /// After our close frame: drops the unread `skip` bytes of the frame being
    /// read, then whole frames, until the peer's close frame (recorded), the
    /// end of the connection or `deadline`.
    fn await_peer_close(
        &self,
        parts: ConnParts<'_>,
        r: &mut Reader,
        skip: u64,
        deadline: Option<Instant>,
    ) {
        let mut skip = skip;
        loop {
            match r.skip_payload(parts.conn, parts.rules, skip, deadline) {
                Ok(None) => {}
                Ok(Some(payload)) => return self.record_peer_close(&payload),
                Err(_) => return,
            }
            let Ok(h) = r.read_header(parts.conn, None, deadline) else {
                return;
            };
            if h.opcode == FrameType::Close.opcode() {
                if h.len <= 125 {
                    if let Ok(payload) = r.read_control_payload(parts.conn, &h, deadline) {
                        self.record_peer_close(&payload);
                    }
                }
                return;
            }
            skip = h.len;
        }
    }

    fn record_peer_close(&self, payload: &[u8]) {
        crate::metrics::close_received(payload);
        if let Ok(parsed) = close::parse_close(payload) {
            *self.peer.borrow_mut() = parsed;
        }
    }

    /// After both close frames: the server closes TCP first (RFC 6455, section
    /// 7.1.1); the client waits (bounded) for that, then closes too.
    fn finish(&self, conn: &Conn, r: &mut Reader) {
        if self.client {
            let deadline = deadline(self.timeout);
            while r.fill(conn, deadline).unwrap_or(false) {
                let n = r.available().len();
                r.consume(n);
            }
        }
        self.terminate(conn);
    }

    /// Ends the connection: closes TCP, and wakes a `close` waiting for that.
    fn terminate(&self, conn: &Conn) {
        // Closed first: the TLS close_notify below may wait, and be cut.
        self.mark_ended();
        let _ = conn.shutdown(Shutdown::Both);
    }

    /// The connection has ended: wakes a `close` waiting for that, and runs
    /// the hooks. Never suspends.
    fn mark_ended(&self) {
        self.state.set(State::Closed);
        if let Some(ended) = self.ended.get() {
            ended.notify_waiters();
        }
        let hooks = std::mem::take(&mut *self.on_end.borrow_mut());
        for (_, hook) in hooks {
            hook();
        }
    }

    /// Has `hook` called when the connection ends; false (and no hook) if
    /// it has ended already.
    pub(super) fn on_end(&self, key: u64, hook: Box<dyn FnOnce()>) -> bool {
        if self.is_closed() {
            return false;
        }
        self.on_end.borrow_mut().push((key, hook));
        true
    }

    /// Forgets the hook added under `key`.
    pub(super) fn forget_on_end(&self, key: u64) {
        self.on_end.borrow_mut().retain(|(k, _)| *k != key);
    }

    /// Starts the close handshake with a close frame's `payload` (a valid code
    /// and reason): sends it after the message being written, waits up to the
    /// close timeout for the peer's close frame, and closes the connection.
    /// Does nothing once the handshake has begun.
    ///
    /// `reader` is the socket's; `reading` says a coroutine is inside `read`
    /// with it, which then receives the peer's close and ends the connection.
    pub(super) fn close(
        &self,
        parts: ConnParts<'_>,
        reader: &Cell<Option<Box<Reader>>>,
        reading: &Cell<bool>,
        payload: &[u8],
    ) -> Result<()> {
        if !self.is_open() {
            return Ok(());
        }
        let mut cut = EndIfCut {
            closing: self,
            conn: parts.conn,
            armed: true,
        };
        self.state.set(State::CloseSent);
        crate::metrics::close_sent(payload);
        let sent = parts
            .writer
            .send_control_in_turn(parts.conn, FrameType::Close, payload);
        if let Err(err) = sent {
            // The peer does not take data (a write timeout): no handshake is
            // possible. Close, which also ends a `read` waiting in another coroutine.
            self.terminate(parts.conn);
            return Err(err.into());
        }
        let deadline = deadline(self.timeout);
        let in_time = || deadline.is_none_or(|d| Instant::now() < d);
        // The coroutine in `read` takes the peer's answer; if it leaves
        // (cut short), this one does.
        if reading.get() {
            let ended = self.ended.get_or_init(Notify::new);
            let wait = || match deadline {
                Some(d) => ended.wait_until(d).is_ok(),
                None => {
                    ended.wait();
                    true
                }
            };
            while reading.get() && !self.is_closed() && wait() {}
        }
        let unread = (!self.is_closed() && !reading.get() && in_time())
            .then(|| reader.take())
            .flatten();
        if let Some(r) = unread {
            let mut put_back = PutBack {
                cell: reader,
                reader: Some(r),
            };
            let r = put_back.reader.as_deref_mut().expect("held until dropped");
            // A read cut short may have left a frame begun: its rest first.
            let skip = r.abandon_current();
            self.await_peer_close(parts, r, skip, deadline);
            self.finish(parts.conn, r);
        }
        if !self.is_closed() {
            self.terminate(parts.conn);
        }
        cut.armed = false;
        Ok(())
    }
}

/// Gives a reader taken out of its cell back, however the borrower ends.
struct PutBack<'a> {
    cell: &'a Cell<Option<Box<Reader>>>,
    reader: Option<Box<Reader>>,
}

impl Drop for PutBack<'_> {
    fn drop(&mut self) {
        self.cell.set(self.reader.take());
    }
}
