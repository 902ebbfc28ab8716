//! An open WebSocket: the public [`Socket`], composed of a [`reader`] (frames
//! in, messages reassembled), a [`writer`] (frames out) and the close
//! handshake ([`closing`]); what the peer may send is decided by
//! [`Rules`](crate::rules::Rules).

mod closing;
mod corked;
mod liveness;
mod owed;
mod rate;
mod reader;
mod selectable;
mod writer;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::rc::{Rc, Weak};
use std::time::Instant;

use silly_net::http::Headers;
use silly_net::tcp::{OnShutdown, ShutdownToken};
use silly_net::Conn;
use silly_runtime::time;

use self::closing::{Closing, ConnParts};
use self::liveness::{Due, Liveness};
use self::owed::TLS_CUT;
use self::rate::Rate;
use self::reader::{Frame, Reader, Stop};
pub(crate) use self::writer::Cork;
use self::writer::Writer;
use crate::close::{self, code};
use crate::config::Config;
use crate::deflate::{Agreed, Deflater, Inflater, PreparedMessage};
use crate::error::{Error, Result};
use crate::frame::FrameType;
use crate::message::Message;
use crate::metrics;
use crate::rules::{Rules, Violation};
use crate::stats::{self, Event};

/// Which end of the connection we are: it decides who masks (RFC 6455,
/// section 5.1: clients mask every frame, servers never do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Server,
    Client,
}

/// What the handshake carried, kept for the application (silly's `sock.stream`).
#[derive(Debug, Clone)]
pub struct HandshakeInfo {
    /// Request target (server side) or URL path (client side).
    pub path: String,
    /// Request headers (server side) or response headers (client side).
    pub headers: Headers,
    /// The subprotocol agreed on, if any.
    pub protocol: Option<String>,
}

/// A WebSocket connection. Get one from [`upgrade`](crate::upgrade) (server)
/// or [`connect`](crate::connect) (client).
///
/// # One socket, several coroutines
///
/// A `Socket` is a handle: [`clone`](Clone::clone) it (a reference count,
/// no copy) and give the clone to another coroutine, so that one reads
/// while others write:
///
/// ```no_run
/// use silly_websocket::{connect, FrameType, Message};
///
/// silly_runtime::run(|| {
///     let sock = connect("ws://127.0.0.1:8080", &[]).unwrap();
///     let writer = sock.clone();
///     silly_runtime::task::fork(move || {
///         for n in 0..10 {
///             if writer.write(format!("tick {n}").as_bytes(), FrameType::Text).is_err() {
///                 return;
///             }
///             silly_runtime::time::sleep(std::time::Duration::from_secs(1));
///         }
///         let _ = writer.close();
///     });
///     while let Ok(message) = sock.read_message() {
///         if let Message::Close(_) = message {
///             break;
///         }
///     }
/// });
/// ```
///
/// What the handles share keeps its promises across coroutines: writes go
/// out whole and one at a time (a message's frames are never interleaved
/// with another writer's; a writer waits for the one before it), and so do
/// the pongs and the close frame the reader sends; a read runs in one
/// coroutine at a time (a second `read` meanwhile fails with
/// [`Error::ReadInProgress`]); a `close` from a writer while another
/// coroutine reads leaves the peer's answer to that read, which returns
/// it. An interrupt leaves each call as the [table](crate#interrupts)
/// says, whichever handle it used: a read cut short keeps its progress in
/// the socket, a write cut short is finished by the next writer of any
/// handle. The connection ends when it is closed or aborted, or when the
/// last handle is dropped.
///
/// Why a shared handle and not split read and write halves: the two
/// directions of a WebSocket are not independent. Reading answers pings
/// and close frames by writing, a close started by the writer ends with
/// the reader's next frame, and both need the connection's state (open,
/// closing, aborted). Halves would each hold a handle on that shared state
/// anyway, and add types and rules for which half may close; one handle
/// that can be cloned keeps one type with one set of rules.
pub struct Socket {
    /// On the heap: a socket is moved into and held in the frames of the
    /// coroutine that serves it, and every byte of those frames is stack a
    /// parked connection keeps resident. A pointer keeps the frames small.
    /// Counted, so the server's shutdown can hold a weak reference to it.
    inner: Rc<Inner>,
}

struct Inner {
    conn: Conn,
    role: Role,
    config: Config,
    info: HandshakeInfo,
    /// What the peer may send, from `role` and `config`.
    rules: Rules,
    /// Boxed and taken out whole while a read runs: lending it costs a
    /// pointer move, not two copies of the reader per message. `None` while
    /// a read has it.
    reader: Cell<Option<Box<Reader>>>,
    /// With permessage-deflate: inflates compressed messages. Outside the
    /// reader and boxed: a connection without compression pays one pointer,
    /// and its reader is what it was.
    inflater: RefCell<Option<Box<Inflater>>>,
    /// Whether a coroutine is inside `read` (then `close` leaves the peer's
    /// close frame to it).
    reading: Cell<bool>,
    writer: Writer,
    closing: Closing,
    /// With `Config::ping_interval`: the keepalive state. Boxed: a socket
    /// without keepalive pays one pointer.
    liveness: Option<Box<Liveness>>,
    /// Counts the socket open while it lives.
    _open: metrics::OpenSocket,
}

/// Why a socket was ended by [`Socket::abort`].
const ABORTED: &str = "the connection was aborted (Socket::abort)";

/// The reason in the close frame of a peer that answered no ping.
const PING_TIMEOUT: &str = "no answer to ping";

/// Why a socket ended itself after a write failed.
const WRITE_FAILED: &str =
    "a write failed (a socket error, such as a reset): the connection was closed";

impl Inner {
    fn parts(&self) -> ConnParts<'_> {
        ConnParts {
            conn: &self.conn,
            writer: &self.writer,
            rules: &self.rules,
        }
    }

    /// What a write's result means for the socket: after a timeout it is
    /// whole (what was begun is owed, see `owed`); after another error the
    /// connection is gone, and is ended.
    #[inline]
    fn written(&self, sent: io::Result<()>) -> Result<()> {
        match sent {
            Ok(()) => Ok(()),
            // Ended meanwhile (aborted, a ping unanswered, closed): why,
            // not the socket error the end caused.
            Err(_) if self.closing.is_closed() => Err(self.closing.closed_error()),
            Err(e) => {
                if e.kind() != io::ErrorKind::TimedOut {
                    self.closing.abort(&self.conn, WRITE_FAILED);
                }
                Err(Error::Io(e))
            }
        }
    }

    /// Ends the connection if a write over TLS stopped part way.
    #[inline]
    fn check_torn(&self) {
        if self.writer.is_torn() {
            self.closing.abort(&self.conn, TLS_CUT);
        }
    }
}

/// Held by a call that writes: however it ends (returned, or cut short by an
/// interrupt), a write over TLS that stopped part way ends the connection.
struct WriteTurn<'a>(&'a Inner);

impl Drop for WriteTurn<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.check_torn();
    }
}

/// The reader, lent to a `read` out of its cell (no borrow is held across a
/// suspension), and given back however the read ends: a read cut short by
/// an interrupt leaves its progress (frame header, payload, fragments,
/// inflater and UTF-8 state) in the socket for the next read.
struct Lent<'a> {
    inner: &'a Inner,
    reader: Option<Box<Reader>>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let inner = self.inner;
        inner.reader.set(self.reader.take());
        inner.reading.set(false);
        inner.closing.reader_left();
        inner.check_torn();
    }
}

/// Another handle on the same connection (see [the type's docs](Socket)).
impl Clone for Socket {
    fn clone(&self) -> Socket {
        Socket {
            inner: self.inner.clone(),
        }
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("role", &self.inner.role)
            .field("state", &self.inner.closing.state())
            .field("path", &self.inner.info.path)
            .finish_non_exhaustive()
    }
}

impl Socket {
    pub(crate) fn new(
        conn: Conn,
        early: Vec<u8>,
        role: Role,
        config: Config,
        info: HandshakeInfo,
        deflate: Option<Agreed>,
    ) -> Socket {
        conn.set_write_timeout(config.write_timeout);
        let rules = Rules {
            masked: role == Role::Server,
            max_frame: config.max_frame_bytes as u64,
            max_message: config.max_message_bytes as u64,
            deflate: deflate.is_some(),
        };
        let client = role == Role::Client;
        let (deflater, inflater) = match (deflate, &config.compression) {
            (Some(agreed), Some(settings)) => {
                let (send, recv) = agreed.directions(client);
                (
                    Some(Box::new(Deflater::new(send, settings))),
                    Some(Box::new(Inflater::new(recv))),
                )
            }
            _ => (None, None),
        };
        let now = time::loop_now();
        let liveness = config
            .ping_interval
            .map(|interval| Box::new(Liveness::new(interval, config.ping_timeout, now)));
        let mut reader = Box::new(Reader::new(early));
        reader.heard = liveness.as_ref().map(|live| live.heard());
        reader.rate = config
            .max_messages_per_second
            .map(|limit| Box::new(Rate::new(limit, now)));
        let first_check = liveness.as_ref().and_then(|live| live.first_check());
        let inner = Rc::new(Inner {
            conn,
            role,
            rules,
            reader: Cell::new(Some(reader)),
            inflater: RefCell::new(inflater),
            reading: Cell::new(false),
            writer: Writer::new(client, deflater),
            closing: Closing::new(role == Role::Client, config.close_timeout),
            _open: metrics::OpenSocket::new(),
            config,
            info,
            liveness,
        });
        inner.check_liveness_at(first_check);
        Socket { inner }
    }

    /// Server side: has the HTTP server's shutdown close this socket with
    /// `Config::shutdown_close_code` (see [`upgrade`](crate::upgrade)).
    pub(crate) fn close_on_shutdown(&self, token: &ShutdownToken) {
        let weak: Weak<Inner> = Rc::downgrade(&self.inner);
        token.on_shutdown(weak);
    }

    /// The underlying connection (plain TCP or TLS), for its addresses.
    pub fn conn(&self) -> &Conn {
        &self.inner.conn
    }

    /// What the handshake carried: path, headers, subprotocol.
    pub fn stream(&self) -> &HandshakeInfo {
        &self.inner.info
    }

    /// The subprotocol agreed on in the handshake.
    pub fn protocol(&self) -> Option<&str> {
        self.inner.info.protocol.as_deref()
    }

    /// Whether permessage-deflate was negotiated (see
    /// [`Config::compression`](crate::Config::compression)).
    pub fn is_compressed(&self) -> bool {
        self.inner.rules.deflate
    }

    /// The peer's close code and reason, once its close frame has arrived.
    pub fn peer_close(&self) -> Option<(u16, String)> {
        self.inner.closing.peer_close()
    }

    /// Whether the close handshake has finished, or the connection failed or
    /// was ended (a reset, a socket error, a write over TLS cut short: see
    /// the crate's [interrupts](crate#interrupts)).
    pub fn is_closed(&self) -> bool {
        self.inner.closing.is_closed()
    }

    /// Whether `self` and `other` are handles on the same connection: how an
    /// application finds its own record of the socket a [`Hub`](crate::Hub)
    /// hands to [`on_drop`](crate::Hub::on_drop) (the hub keeps a handle of
    /// its own, not the application's).
    pub fn same_connection(&self, other: &Socket) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }

    /// Reads the next message, suspending until it is complete: a whole text or
    /// binary message (fragments reassembled), or a ping, pong or close frame.
    /// Text is checked as UTF-8 as it arrives; [`read_message`](Self::read_message)
    /// returns it as a `String`, with no second check.
    ///
    /// With `auto_pong` (default) a ping is answered before it is returned. A
    /// close frame is answered (its code echoed) and the connection closed; it
    /// is returned as `(payload, FrameType::Close)`, the payload being the code
    /// and reason as sent (see [`peer_close`](Self::peer_close)).
    ///
    /// # Interrupts
    ///
    /// Whole. An interrupt (`time::timeout`, `Task::cancel`, shutdown) or the
    /// read timeout may stop it anywhere: the frame being read (its header,
    /// its payload so far), the fragments before it, the inflater and the
    /// UTF-8 check are the socket's, and the next read goes on where this one
    /// stopped. A ping cut while its pong was being sent is returned by the
    /// next read; the pong is sent.
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] if the connection closed without a close frame (with the
    /// partial message), [`Error::Io`] with `TimedOut` after `Config::read_timeout`
    /// (the connection stays usable), [`Error::Protocol`] if the peer broke the protocol (we
    /// closed with 1002, 1007 or 1009) or sent more than
    /// `Config::max_messages_per_second` (1008), [`Error::PingTimeout`] when
    /// it answered no keepalive ping in time (we closed: see
    /// [Liveness](crate#liveness)), [`Error::Closed`] after the close
    /// handshake, [`Error::Io`] for socket errors (the connection is closed
    /// then: [`is_closed`](Self::is_closed), later calls [`Error::Aborted`]).
    pub fn read(&self) -> Result<(Vec<u8>, FrameType)> {
        self.read_message().map(Message::into_parts)
    }

    /// [`read`](Self::read), giving a [`Message`]: text as a `String` (checked
    /// as UTF-8 while it arrived, not again), binary as bytes, a close frame
    /// as its code and reason.
    ///
    /// ```no_run
    /// use silly_websocket::{connect, Message};
    ///
    /// silly_runtime::run(|| {
    ///     let sock = connect("ws://127.0.0.1:8080", &[]).unwrap();
    ///     if let Ok(Message::Text(text)) = sock.read_message() {
    ///         let words: Vec<&str> = text.split_whitespace().collect();
    ///         println!("{words:?}");
    ///     }
    /// });
    /// ```
    ///
    /// # Interrupts
    ///
    /// Whole, as [`read`](Self::read).
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    pub fn read_message(&self) -> Result<Message> {
        let inner = &*self.inner;
        if inner.closing.is_closed() {
            return Err(inner.closing.closed_error());
        }
        let Some(reader) = inner.reader.take() else {
            return Err(Error::ReadInProgress);
        };
        inner.reading.set(true);
        let mut lent = Lent {
            inner,
            reader: Some(reader),
        };
        // No call at all for the default (no read timeout).
        let deadline = match inner.config.read_timeout {
            None => None,
            timeout => time::deadline(timeout),
        };
        let reader = lent.reader.as_deref_mut().expect("lent until dropped");
        self.next_message(reader, deadline)
    }

    fn next_message(&self, r: &mut Reader, deadline: Option<Instant>) -> Result<Message> {
        let inner = &*self.inner;
        if let Some(message) = r.held.take() {
            return Ok(message);
        }
        loop {
            let open = || inner.closing.is_open();
            let frame = r.next_frame(&inner.conn, &inner.rules, deadline, open, &inner.inflater);
            let admitted = match &frame {
                Ok(Frame::Message(_) | Frame::Control(FrameType::Ping | FrameType::Pong, _)) => {
                    r.admit()
                }
                _ => true,
            };
            if !admitted {
                stats::count(Event::RateLimited);
                let stop = Stop::Payload(Violation::TOO_MANY_MESSAGES, 0);
                return Err(inner.closing.stop(inner.parts(), r, stop));
            }
            match frame {
                Ok(Frame::Message(message)) => return Ok(metrics::received(message)),
                Ok(Frame::Fragment) => {}
                Ok(Frame::Control(FrameType::Close, payload)) => {
                    return inner
                        .closing
                        .on_close_frame(inner.parts(), r, payload)
                        .map(Message::Close)
                }
                Ok(Frame::Control(FrameType::Ping, payload)) => {
                    if !inner.config.auto_pong || !inner.closing.is_open() {
                        return Ok(Message::Ping(payload));
                    }
                    // Read, and kept in the reader until the pong is on its
                    // way: a read cut short while it waits returns it next.
                    let ping = r.held.insert(Message::Ping(payload));
                    let Message::Ping(payload) = ping else {
                        unreachable!("just set")
                    };
                    let sent = inner
                        .writer
                        .send_control(&inner.conn, FrameType::Pong, payload);
                    let ping = r.held.take().expect("held above");
                    inner.written(sent)?;
                    return Ok(ping);
                }
                Ok(Frame::Control(_, payload)) => return Ok(Message::Pong(payload)),
                Err(stop) => return Err(inner.closing.stop(inner.parts(), r, stop)),
            }
        }
    }

    /// Sends a message: `Text` (must be UTF-8) or `Binary` (fragmented when it is
    /// `fragment_size` or more), or a `Ping`/`Pong` (at most 125 bytes). A
    /// `Close` frame type sends a normal close, as [`close`](Self::close).
    ///
    /// Suspends while the peer does not read (bounded by `write_timeout`).
    ///
    /// # Interrupts
    ///
    /// Whole over plain TCP. A message cut before any of it went out is not
    /// sent (except a compressed one: its compressor has moved on, so it is
    /// sent whole). One cut after its first byte, in any frame or between
    /// fragments, is sent whole: the socket keeps what is left and sends it
    /// before any other byte (the next write, a pong, a close, or
    /// [`flush`](Self::flush)). The write timeout leaves the same.
    ///
    /// Closed over TLS when the cut falls while the TLS layer sends: it
    /// reports no count of what went out, so the rest cannot be finished; the
    /// connection is ended at once (the peer sees it end), later calls fail
    /// with [`Error::Aborted`] saying so, and [`is_closed`](Self::is_closed)
    /// is true. A cut while waiting for another writer's turn leaves nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once closing; [`Error::InvalidUtf8`];
    /// [`Error::ControlFrameTooLarge`]; [`Error::InvalidFrameType`] for
    /// `Continuation`; [`Error::Io`] with `TimedOut` after the write timeout
    /// (the socket stays usable, as after an interrupt); [`Error::Io`] for a
    /// socket error (the connection is closed then); [`Error::Aborted`] once
    /// the connection was ended, [`Error::PingTimeout`] once it was ended
    /// for a peer that answered no keepalive ping (a write waiting for that
    /// peer included).
    pub fn write(&self, data: &[u8], kind: FrameType) -> Result<()> {
        match kind {
            FrameType::Close => return self.close(),
            FrameType::Continuation => return Err(Error::InvalidFrameType),
            FrameType::Ping | FrameType::Pong if data.len() > 125 => {
                return Err(Error::ControlFrameTooLarge)
            }
            FrameType::Text if std::str::from_utf8(data).is_err() => {
                return Err(Error::InvalidUtf8)
            }
            _ => {}
        }
        let inner = &*self.inner;
        if !inner.closing.is_open() {
            return Err(inner.closing.closed_error());
        }
        let _turn = WriteTurn(inner);
        let sent = inner
            .writer
            .send_message(&inner.conn, data, kind, inner.config.fragment_size);
        if sent.is_ok() && !kind.is_control() {
            metrics::sent(data.len());
        }
        inner.written(sent)
    }

    /// Sends a [`PreparedMessage`]: as [`write`](Self::write), but a
    /// message sent to many sockets is compressed once for all of those that
    /// compress without context takeover.
    ///
    /// # Interrupts
    ///
    /// As [`write`](Self::write).
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn write_prepared(&self, msg: &PreparedMessage) -> Result<()> {
        let inner = &*self.inner;
        if !inner.closing.is_open() {
            return Err(inner.closing.closed_error());
        }
        let _turn = WriteTurn(inner);
        let sent = inner
            .writer
            .send_prepared(&inner.conn, msg, inner.config.fragment_size);
        if sent.is_ok() {
            metrics::sent(msg.data.len());
        }
        inner.written(sent)
    }

    /// Sends what a write cut short left of its message (see
    /// [Interrupts](crate#interrupts)), waiting for the writer before it;
    /// does nothing if nothing is left. Any later write, pong or close sends
    /// it first anyway: this is for a socket with nothing more to say.
    ///
    /// # Interrupts
    ///
    /// Whole: cut short again, what is left stays for the next call.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn flush(&self) -> Result<()> {
        let inner = &*self.inner;
        if inner.closing.is_closed() {
            return Err(inner.closing.closed_error());
        }
        let _turn = WriteTurn(inner);
        let sent = inner.writer.flush(&inner.conn);
        inner.written(sent)
    }

    /// Ends the connection at once, without a close handshake: TCP is shut
    /// both ways (over TLS without a close_notify), what a write cut short
    /// left unsent is dropped. For a peer not worth a goodbye: one that is
    /// silent past a heartbeat, or misbehaves at the application level.
    ///
    /// The peer sees the connection end (no close frame: its side reports
    /// an abnormal closure, 1006). A `read` waiting in another coroutine
    /// returns [`Error::Aborted`]; later calls on any handle fail with it,
    /// and [`is_closed`](Self::is_closed) is true. Does nothing on a socket
    /// already closed.
    ///
    /// # Interrupts
    ///
    /// Nothing to cut: it never suspends.
    pub fn abort(&self) {
        self.abort_for(ABORTED);
    }

    /// Closes with 1000 (normal closure); see [`close_with`](Self::close_with).
    ///
    /// # Interrupts
    ///
    /// Closed, as [`close_with`](Self::close_with).
    ///
    /// # Errors
    ///
    /// As [`close_with`](Self::close_with).
    pub fn close(&self) -> Result<()> {
        self.close_with(code::NORMAL, "")
    }

    /// Starts the close handshake with `code` and `reason`: sends the close
    /// frame, waits (up to `close_timeout`) for the peer's, then closes the
    /// connection. Calling it again, or after the peer closed, does nothing.
    ///
    /// # Interrupts
    ///
    /// Closed: a close cut short (waiting for its turn on the wire, sending,
    /// or waiting for the peer's answer) ends the connection at once. The
    /// handshake could not be taken up again by another call, and whoever
    /// cut it wanted the connection over; the peer sees it end. Later calls
    /// fail with [`Error::Aborted`] saying so.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCloseCode`] for a code that may not be sent;
    /// [`Error::ControlFrameTooLarge`] for a reason over 123 bytes;
    /// [`Error::Io`] if the close frame could not be sent (the connection is
    /// closed then).
    pub fn close_with(&self, code: u16, reason: &str) -> Result<()> {
        self.inner.close_with(code, reason)
    }
}

impl Inner {
    fn close_with(&self, code: u16, reason: &str) -> Result<()> {
        if !close::is_valid_close_code(code) {
            return Err(Error::InvalidCloseCode(code));
        }
        if reason.len() > 123 {
            return Err(Error::ControlFrameTooLarge);
        }
        let payload = close::payload(code, reason);
        let _turn = WriteTurn(self);
        self.closing
            .close(self.parts(), &self.reader, &self.reading, &payload)
    }
}

/// Keepalive: the timer's side (see `liveness`).
impl Inner {
    /// Arms the next keepalive check at `at` (`None`: never).
    fn check_liveness_at(self: &Rc<Self>, at: Option<Instant>) {
        let (Some(live), Some(at)) = (&self.liveness, at) else {
            return;
        };
        // Weak: a socket its application dropped is not kept for a check.
        let weak = Rc::downgrade(self);
        live.set_timer(time::at(at, move || {
            if let Some(inner) = weak.upgrade() {
                inner.check_liveness();
            }
        }));
    }

    /// A keepalive check, in a coroutine of its own that the timer started:
    /// pings a quiet peer, ends a silent one. A `read` blocked meanwhile is
    /// woken by the end of the connection, and returns
    /// [`Error::PingTimeout`].
    fn check_liveness(self: &Rc<Self>) {
        let Some(live) = &self.liveness else {
            return;
        };
        if !self.closing.is_open() {
            // Closing or closed: the close timeout bounds what is left.
            return;
        }
        // Asked only of a peer that let a ping go unanswered; whether its
        // bytes wait unread is a system call, made only then.
        let unread = || !self.conn.is_idle_open();
        match live.due(time::loop_now(), unread) {
            Due::CheckAt(at) => self.check_liveness_at(at),
            Due::Ping(answer_by) => {
                // Armed before the ping is sent: a ping stuck behind a
                // writer that waits for the peer still times out.
                self.check_liveness_at(answer_by);
                stats::count(Event::PingSent);
                let _turn = WriteTurn(self);
                let sent = self.writer.send_ping(&self.conn);
                let _ = self.written(sent);
            }
            Due::Expired => {
                stats::count(Event::PingTimeout);
                let payload = close::payload(code::INTERNAL_ERROR, PING_TIMEOUT);
                self.writer
                    .send_parting(&self.conn, FrameType::Close, &payload);
                self.closing.ping_timed_out(&self.conn);
            }
        }
    }
}

impl OnShutdown for Inner {
    /// The server shuts down: the close handshake with
    /// `Config::shutdown_close_code` (1001 if that code may not be sent). A
    /// coroutine inside `read` gets the peer's answering close frame.
    fn shutdown(&self) {
        let code = self.config.shutdown_close_code;
        if self.close_with(code, "server shutting down").is_err() {
            let _ = self.close_with(code::GOING_AWAY, "server shutting down");
        }
    }
}
