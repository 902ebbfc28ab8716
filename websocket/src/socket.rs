//! An open WebSocket: reading whole messages, writing (fragmented when large),
//! control frames, and the close handshake.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::time::{Duration, Instant};

use silly_net::http::Headers;
use silly_net::Conn;
use silly_runtime::sync::Semaphore;
use silly_runtime::time;

use crate::close::{self, code, BadClose};
use crate::frame::{self, FrameType, Header};
use crate::mask::apply_mask;
use crate::utf8::Utf8Validator;
use crate::{random, Config, Error, Result};

/// Which end of the connection we are: it decides who masks (RFC 6455,
/// section 5.1: clients mask every frame, servers never do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Server,
    Client,
}

/// Where the connection is in its life (RFC 6455, section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// We sent a close frame and wait for the peer's.
    CloseSent,
    /// Both close frames have passed (or the connection failed): done.
    Closed,
}

/// Most payload bytes dropped to find the peer's close after we failed the
/// connection; beyond this we close without waiting for it.
const MAX_SKIP: u64 = 1024 * 1024;

/// `fail`'s `skip` for "do not wait for the peer's close".
const NO_WAIT: u64 = u64::MAX;

/// A frame buffer up to this size is kept between messages; a larger one is
/// freed once drained.
const KEEP_BUFFER: usize = 1024;

/// Payload bytes masked per write on the client side (a scratch copy: the
/// caller's data is borrowed, not ours to mask in place).
const MASK_CHUNK: usize = 16 * 1024;

/// Unmasked frames up to this payload size are copied behind their header and
/// sent with one `write`; larger ones go out with `writev`, uncopied.
const SMALL_FRAME: usize = 2 * 1024;

thread_local! {
    static SMALL_FRAME_OUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
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

/// The reading side's state; taken out of its cell while a read runs, so no
/// borrow is held across a suspension.
#[derive(Default)]
struct Reader {
    /// Received bytes are `buf[start..end]` (`end == buf.len()`).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The message being reassembled and its type.
    message: Vec<u8>,
    message_type: Option<FrameType>,
    utf8: Utf8Validator,
    /// The payload length of the frame whose header is next in `buf` when its
    /// payload, unmasked, is already at the end of `message` (see
    /// `Reader::take_frame`).
    prefilled: Option<u64>,
}

/// What `check_header` and `read_data_frame` accept of a data frame, for
/// deciding ahead of them whether its payload can go straight into the message.
struct DataFrameRules {
    masked: bool,
    max_frame: u64,
    max_message: u64,
}

impl DataFrameRules {
    fn accept(&self, h: &Header, r: &Reader) -> bool {
        let continuation = h.opcode == 0x0;
        h.rsv == 0
            && matches!(h.opcode, 0x0..=0x2)
            && h.mask.is_some() == self.masked
            && h.len <= self.max_frame
            && continuation == r.message_type.is_some()
            && (r.message.len() as u64).saturating_add(h.len) <= self.max_message
    }
}

impl Reader {
    fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            // Keep a small buffer for the next message; give a large one back.
            if self.buf.capacity() > KEEP_BUFFER {
                self.buf = Vec::new();
            } else {
                self.buf.clear();
            }
        }
    }

    /// Takes freshly read `bytes`, which start with a frame header, into the
    /// empty buffer. When they hold a whole data frame that the header checks
    /// will accept, its payload goes straight into `message`, unmasked, and only
    /// its header and what follows the frame into `buf`: the payload is copied
    /// once, not through `buf`.
    fn take_frame(&mut self, bytes: &[u8], rules: &DataFrameRules) {
        debug_assert!(self.buf.is_empty() && self.prefilled.is_none());
        if let Some(h) = frame::parse_header(bytes) {
            // `h.len` is the peer's 64-bit claim: compare, never add, before
            // the limits have been checked.
            let in_this_read = (bytes.len() - h.size) as u64;
            if h.len <= in_this_read && rules.accept(&h, self) {
                let frame_end = h.size + h.len as usize;
                let from = self.message.len();
                self.message.extend_from_slice(&bytes[h.size..frame_end]);
                if let Some(key) = h.mask {
                    apply_mask(&mut self.message[from..], key, 0);
                }
                self.prefilled = Some(h.len);
                self.buf.extend_from_slice(&bytes[..h.size]);
                self.buf.extend_from_slice(&bytes[frame_end..]);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Drops consumed bytes from the front.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.end -= self.start;
            self.start = 0;
        }
    }
}

/// A WebSocket connection. Get one from [`upgrade`](crate::upgrade) (server)
/// or [`connect`](crate::connect) (client).
///
/// One coroutine may read while others write: share it with `Rc<Socket>`.
/// Frames of one message are never interleaved with another writer's; pongs
/// and the close handshake are handled for you.
pub struct Socket {
    /// On the heap: a socket is moved into and held in the frames of the
    /// coroutine that serves it, and every byte of those frames is stack a
    /// parked connection keeps resident. A pointer keeps the frames small.
    inner: Box<Inner>,
}

struct Inner {
    conn: Conn,
    role: Role,
    config: Config,
    info: HandshakeInfo,
    state: Cell<State>,
    reader: RefCell<Reader>,
    /// Whether a coroutine is inside `read` (then `close` leaves the peer's
    /// close frame to it).
    reading: Cell<bool>,
    /// One frame (or one fragmented message) on the wire at a time.
    write_lock: Semaphore,
    /// Control frames (pongs) that could not be sent at once because a writer
    /// held the lock; that writer sends them after its current frame.
    pending_control: RefCell<Vec<(FrameType, Vec<u8>)>>,
    /// The peer's close code and reason, once received.
    peer_close: RefCell<Option<(u16, String)>>,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("role", &self.inner.role)
            .field("state", &self.inner.state.get())
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
    ) -> Socket {
        conn.set_write_timeout(config.write_timeout);
        let end = early.len();
        let inner = Box::new(Inner {
            conn,
            role,
            config,
            info,
            state: Cell::new(State::Open),
            reader: RefCell::new(Reader {
                buf: early,
                end,
                ..Reader::default()
            }),
            reading: Cell::new(false),
            write_lock: Semaphore::new(1),
            pending_control: RefCell::new(Vec::new()),
            peer_close: RefCell::new(None),
        });
        Socket { inner }
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

    /// The peer's close code and reason, once its close frame has arrived.
    pub fn peer_close(&self) -> Option<(u16, String)> {
        self.inner.peer_close.borrow().clone()
    }

    /// Whether the close handshake has finished (or the connection failed).
    pub fn is_closed(&self) -> bool {
        self.inner.state.get() == State::Closed
    }

    /// Reads the next message, suspending until it is complete: a whole text or
    /// binary message (fragments reassembled), or a ping, pong or close frame.
    ///
    /// With `auto_pong` (default) a ping is answered before it is returned. A
    /// close frame is answered (its code echoed) and the connection closed; it
    /// is returned as `(payload, FrameType::Close)`, the payload being the code
    /// and reason as sent (see [`peer_close`](Self::peer_close)).
    ///
    /// # Errors
    ///
    /// [`Error::Eof`] if the connection closed without a close frame (with the
    /// partial message), [`Error::Io`] with `TimedOut` after `Config::read_timeout`
    /// (the connection stays usable), [`Error::Protocol`] if the peer broke the protocol (we
    /// closed with 1002, 1007 or 1009), [`Error::Closed`] after the close
    /// handshake, [`Error::Io`] for socket errors.
    pub fn read(&self) -> Result<(Vec<u8>, FrameType)> {
        if self.inner.state.get() == State::Closed {
            return Err(Error::Closed);
        }
        self.inner.reading.set(true);
        let mut reader = std::mem::take(&mut *self.inner.reader.borrow_mut());
        let deadline = self.inner.config.read_timeout.map(|t| Instant::now() + t);
        let result = self.read_message(&mut reader, deadline);
        *self.inner.reader.borrow_mut() = reader;
        self.inner.reading.set(false);
        result
    }

    fn read_message(
        &self,
        r: &mut Reader,
        deadline: Option<Instant>,
    ) -> Result<(Vec<u8>, FrameType)> {
        loop {
            let header = self.read_header(r, deadline)?;
            let kind = self.check_header(r, &header)?;
            if kind.is_control() {
                let payload = self.read_control_payload(r, &header, deadline)?;
                match kind {
                    FrameType::Ping => {
                        if self.inner.config.auto_pong && self.inner.state.get() == State::Open {
                            self.send_control(FrameType::Pong, &payload)?;
                        }
                        return Ok((payload, FrameType::Ping));
                    }
                    FrameType::Pong => return Ok((payload, FrameType::Pong)),
                    _ => return self.on_close_frame(r, payload),
                }
            }
            self.read_data_frame(r, &header, kind, deadline)?;
            if header.fin && self.inner.state.get() == State::Open {
                let kind = r.message_type.take().expect("set by the first fragment");
                if kind == FrameType::Text && r.utf8.finish().is_err() {
                    return Err(self.fail(
                        r,
                        code::INVALID_PAYLOAD,
                        "text message is not valid UTF-8",
                        0,
                    ));
                }
                return Ok((std::mem::take(&mut r.message), kind));
            }
            if header.fin {
                // Data after our close frame is read and dropped (RFC 6455, 5.5.1).
                r.message_type = None;
                r.message.clear();
                r.utf8 = Utf8Validator::default();
            }
        }
    }

    /// Reads more bytes into the frame buffer; `Ok(false)` at EOF. Over plain
    /// TCP no read buffer is held while waiting (see `Conn::read_into`), so an
    /// idle connection owns none, and a large frame arrives in one `read`.
    fn fill(&self, r: &mut Reader, deadline: Option<Instant>) -> Result<bool> {
        r.compact();
        let n = self.inner.conn.read_into(deadline, &mut r.buf)?;
        r.end = r.buf.len();
        Ok(n > 0)
    }

    fn eof(&self, r: &mut Reader) -> Error {
        self.inner.state.set(State::Closed);
        Error::Eof {
            partial: std::mem::take(&mut r.message),
        }
    }

    fn read_header(&self, r: &mut Reader, deadline: Option<Instant>) -> Result<Header> {
        loop {
            if let Some(header) = frame::parse_header(r.available()) {
                r.consume(header.size);
                return Ok(header);
            }
            let more = if r.available().is_empty() {
                self.fill_at_header(r, deadline)?
            } else {
                self.fill(r, deadline)?
            };
            if !more {
                return Err(self.eof(r));
            }
        }
    }

    /// [`fill`](Self::fill) when the buffer is empty and a frame header comes
    /// next: a whole data frame read at once has its payload put straight into
    /// the message (`Reader::take_frame`).
    fn fill_at_header(&self, r: &mut Reader, deadline: Option<Instant>) -> Result<bool> {
        let inner = &self.inner;
        if inner.conn.is_tls() || inner.state.get() != State::Open || r.prefilled.is_some() {
            return self.fill(r, deadline);
        }
        r.compact();
        let rules = DataFrameRules {
            masked: inner.role == Role::Server,
            max_frame: inner.config.max_frame_size as u64,
            max_message: inner.config.max_message_size as u64,
        };
        let n = inner.conn.read_with(deadline, |bytes| {
            r.take_frame(bytes, &rules);
            bytes.len()
        })?;
        r.end = r.buf.len();
        Ok(n > 0)
    }

    /// Applies RFC 6455's rules to a header; fails the connection on a violation.
    fn check_header(&self, r: &mut Reader, h: &Header) -> Result<FrameType> {
        // 5.2: "MUST be 0 unless an extension is negotiated".
        if h.rsv != 0 {
            return Err(self.fail(
                r,
                code::PROTOCOL_ERROR,
                "reserved bits set without an extension",
                h.len,
            ));
        }
        let Some(kind) = FrameType::from_opcode(h.opcode) else {
            return Err(self.fail(r, code::PROTOCOL_ERROR, "reserved opcode", h.len));
        };
        // 5.1: clients MUST mask, servers MUST NOT.
        match (self.inner.role, h.mask.is_some()) {
            (Role::Server, false) => {
                return Err(self.fail(
                    r,
                    code::PROTOCOL_ERROR,
                    "unmasked frame from a client",
                    h.len,
                ))
            }
            (Role::Client, true) => {
                return Err(self.fail(r, code::PROTOCOL_ERROR, "masked frame from a server", h.len))
            }
            _ => {}
        }
        // 5.2: the most significant bit of a 64-bit length MUST be 0.
        if h.len >> 63 != 0 {
            return Err(self.fail(
                r,
                code::PROTOCOL_ERROR,
                "frame length with the top bit set",
                h.len,
            ));
        }
        // 5.5: control frames are at most 125 bytes and MUST NOT be fragmented.
        if kind.is_control() && (h.len > 125 || !h.fin) {
            // A bad close frame is still the peer's last word: do not wait for another.
            let skip = if kind == FrameType::Close {
                NO_WAIT
            } else {
                h.len
            };
            return Err(self.fail(
                r,
                code::PROTOCOL_ERROR,
                "control frame too long or fragmented",
                skip,
            ));
        }
        if h.len > self.inner.config.max_frame_size as u64 {
            return Err(self.fail(r, code::MESSAGE_TOO_BIG, "frame over the size limit", h.len));
        }
        Ok(kind)
    }

    fn read_control_payload(
        &self,
        r: &mut Reader,
        h: &Header,
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>> {
        let len = h.len as usize;
        while r.available().len() < len {
            if !self.fill(r, deadline)? {
                return Err(self.eof(r));
            }
        }
        let mut payload = r.available()[..len].to_vec();
        r.consume(len);
        if let Some(key) = h.mask {
            apply_mask(&mut payload, key, 0);
        }
        Ok(payload)
    }

    fn read_data_frame(
        &self,
        r: &mut Reader,
        h: &Header,
        kind: FrameType,
        deadline: Option<Instant>,
    ) -> Result<()> {
        // Set only when `take_frame` found this frame acceptable: none of the
        // failures below can then happen.
        let prefilled = r.prefilled.take();
        match (kind, r.message_type) {
            (FrameType::Continuation, None) => {
                return Err(self.fail(
                    r,
                    code::PROTOCOL_ERROR,
                    "continuation frame without a message to continue",
                    h.len,
                ))
            }
            (FrameType::Continuation, Some(_)) => {}
            (_, Some(_)) => {
                return Err(self.fail(
                    r,
                    code::PROTOCOL_ERROR,
                    "new message inside a fragmented message",
                    h.len,
                ))
            }
            (kind, None) => {
                r.message_type = Some(kind);
                r.utf8 = Utf8Validator::default();
            }
        }
        let received = r.message.len() as u64 - prefilled.unwrap_or(0);
        if received + h.len > self.inner.config.max_message_size as u64 {
            return Err(self.fail(
                r,
                code::MESSAGE_TOO_BIG,
                "message over the size limit",
                h.len,
            ));
        }
        let text = r.message_type == Some(FrameType::Text);
        let mut remaining = h.len as usize;
        let mut offset = 0;
        // A prefilled payload is the first and only piece, already unmasked.
        let mut prefilled_from = prefilled.map(|_| received as usize);
        while remaining > 0 {
            let from = match prefilled_from.take() {
                Some(from) => from,
                None => {
                    if r.available().is_empty() && !self.fill(r, deadline)? {
                        return Err(self.eof(r));
                    }
                    let n = remaining.min(r.available().len());
                    let from = r.message.len();
                    r.message.extend_from_slice(&r.buf[r.start..r.start + n]);
                    r.consume(n);
                    if let Some(key) = h.mask {
                        apply_mask(&mut r.message[from..], key, offset);
                    }
                    from
                }
            };
            let n = r.message.len() - from;
            // Validate as bytes arrive: an invalid text fails at once, not when
            // the (possibly huge, possibly never-ending) message completes.
            if text
                && self.inner.state.get() == State::Open
                && r.utf8.feed(&r.message[from..]).is_err()
            {
                let unread = (remaining - n) as u64;
                return Err(self.fail(
                    r,
                    code::INVALID_PAYLOAD,
                    "text message is not valid UTF-8",
                    unread,
                ));
            }
            remaining -= n;
            offset += n;
        }
        Ok(())
    }

    /// A close frame arrived: answer it (unless we started the close), close
    /// the connection, and hand the frame to the caller.
    fn on_close_frame(&self, r: &mut Reader, payload: Vec<u8>) -> Result<(Vec<u8>, FrameType)> {
        let parsed = match close::parse_close(&payload) {
            Ok(parsed) => parsed,
            // The peer's close was its last frame: answer and close, without waiting.
            Err(BadClose::Protocol(why)) => {
                return Err(self.fail(r, code::PROTOCOL_ERROR, why, NO_WAIT))
            }
            Err(BadClose::Utf8) => {
                return Err(self.fail(
                    r,
                    code::INVALID_PAYLOAD,
                    "close reason is not valid UTF-8",
                    NO_WAIT,
                ))
            }
        };
        *self.inner.peer_close.borrow_mut() = parsed.clone();
        if self.inner.state.get() == State::Open {
            // Echo the peer's code (RFC 6455, section 5.5.1); an empty close gets
            // an empty close.
            let reply = match &parsed {
                Some((c, _)) => c.to_be_bytes().to_vec(),
                None => Vec::new(),
            };
            let _ = self.send_control(FrameType::Close, &reply);
        }
        self.finish_close(r);
        Ok((payload, FrameType::Close))
    }

    /// After both close frames: the server closes TCP first (RFC 6455, section
    /// 7.1.1); the client waits briefly for that, then closes too.
    fn finish_close(&self, r: &mut Reader) {
        self.inner.state.set(State::Closed);
        if self.inner.role == Role::Client {
            let deadline = Instant::now() + self.inner.config.close_timeout;
            while self.fill(r, Some(deadline)).unwrap_or(false) {
                let n = r.available().len();
                r.consume(n);
            }
        }
        let _ = self.inner.conn.shutdown(Shutdown::Both);
    }

    /// Fails the connection (RFC 6455, section 7.1.7): sends a close frame with
    /// `status`, waits (bounded) for the peer's close, closes TCP.
    ///
    /// `skip` is how much of the offending frame's payload is still unread: it is
    /// dropped first so the peer's close frame is found where it starts. A frame
    /// too large to skip means no waiting: the connection just closes.
    fn fail(&self, r: &mut Reader, status: u16, reason: &'static str, skip: u64) -> Error {
        if self.inner.state.get() == State::Open {
            let _ = self.send_control(FrameType::Close, &status.to_be_bytes());
            self.inner.state.set(State::CloseSent);
            let deadline = Some(Instant::now() + self.inner.config.close_timeout);
            if skip <= MAX_SKIP && self.skip_payload(r, skip as usize, deadline) {
                self.await_peer_close(r);
            }
        }
        self.inner.state.set(State::Closed);
        let _ = self.inner.conn.shutdown(Shutdown::Both);
        Error::Protocol {
            code: status,
            reason,
        }
    }

    /// Drops `len` payload bytes; `false` if the connection ended first.
    fn skip_payload(&self, r: &mut Reader, mut len: usize, deadline: Option<Instant>) -> bool {
        while len > 0 {
            if r.available().is_empty() && !self.fill(r, deadline).unwrap_or(false) {
                return false;
            }
            let n = len.min(r.available().len());
            r.consume(n);
            len -= n;
        }
        true
    }

    /// After our close frame: reads (dropping data frames) until the peer's close
    /// frame or the close timeout. Used when no other coroutine reads.
    fn await_peer_close(&self, reader: &mut Reader) {
        let deadline = Some(Instant::now() + self.inner.config.close_timeout);
        while let Ok(header) = self.read_header(reader, deadline) {
            let len = header.len as usize;
            let mut skipped = 0;
            let mut payload = Vec::new();
            while skipped < len {
                if reader.available().is_empty() && !self.fill(reader, deadline).unwrap_or(false) {
                    return;
                }
                let n = (len - skipped).min(reader.available().len());
                if header.opcode == FrameType::Close.opcode() && payload.len() < 125 {
                    payload.extend_from_slice(&reader.available()[..n.min(125)]);
                }
                reader.consume(n);
                skipped += n;
            }
            if header.opcode == FrameType::Close.opcode() {
                if let Some(key) = header.mask {
                    apply_mask(&mut payload, key, 0);
                }
                if let Ok(parsed) = close::parse_close(&payload) {
                    *self.inner.peer_close.borrow_mut() = parsed;
                }
                break;
            }
        }
    }

    /// Sends a message: `Text` (must be UTF-8) or `Binary` (fragmented when it is
    /// `fragment_size` or more), or a `Ping`/`Pong` (at most 125 bytes). A
    /// `Close` frame type sends a normal close, as [`close`](Self::close).
    ///
    /// Suspends while the peer does not read (bounded by `write_timeout`).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once closing; [`Error::InvalidUtf8`];
    /// [`Error::ControlFrameTooLarge`]; [`Error::InvalidFrameType`] for
    /// `Continuation`; [`Error::Io`] (a timeout included).
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
        if self.inner.state.get() != State::Open {
            return Err(Error::Closed);
        }
        let _writer = self.inner.write_lock.acquire();
        if kind.is_control() || data.len() < self.inner.config.fragment_size.max(1) {
            self.send_frame(true, kind, data)?;
        } else {
            let mut chunks = data.chunks(self.inner.config.fragment_size).peekable();
            let mut opcode = kind;
            while let Some(chunk) = chunks.next() {
                self.send_frame(chunks.peek().is_none(), opcode, chunk)?;
                opcode = FrameType::Continuation;
                self.send_pending_control()?;
            }
        }
        self.send_pending_control()
    }

    /// Sends a control frame now if no writer is busy, else leaves it to the
    /// writer (which sends it after its current frame).
    fn send_control(&self, kind: FrameType, payload: &[u8]) -> Result<()> {
        match self.inner.write_lock.try_acquire() {
            Some(_writer) => {
                self.send_pending_control()?;
                self.send_frame(true, kind, payload)
            }
            None => {
                self.inner
                    .pending_control
                    .borrow_mut()
                    .push((kind, payload.to_vec()));
                Ok(())
            }
        }
    }

    /// Sends queued control frames. The caller holds the write lock.
    fn send_pending_control(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.inner.pending_control.borrow_mut());
        for (kind, payload) in pending {
            self.send_frame(true, kind, &payload)?;
        }
        Ok(())
    }

    /// Writes one frame. The caller holds the write lock.
    fn send_frame(&self, fin: bool, kind: FrameType, payload: &[u8]) -> Result<()> {
        let mask = match self.inner.role {
            Role::Client => Some(
                random::next_u64().to_ne_bytes()[..4]
                    .try_into()
                    .expect("4 bytes"),
            ),
            Role::Server => None,
        };
        let (header, size) = frame::encode_header(fin, kind.opcode(), mask, payload.len() as u64);
        match mask {
            None if payload.len() <= SMALL_FRAME => {
                // One plain write: copying a small payload costs less than the
                // kernel's vectored path. The buffer is per thread, not per socket
                // (idle sockets hold none); a writer that suspends keeps it, and
                // another meanwhile uses a fresh one.
                let mut out = SMALL_FRAME_OUT.take();
                out.clear();
                out.extend_from_slice(&header[..size]);
                out.extend_from_slice(payload);
                let result = self.inner.conn.write_all(&out);
                SMALL_FRAME_OUT.set(out);
                result?;
            }
            None => {
                // One syscall, header and payload together, and no copy of either.
                self.inner.conn.write_all_vectored(&mut [
                    io::IoSlice::new(&header[..size]),
                    io::IoSlice::new(payload),
                ])?;
            }
            Some(key) => {
                let mut out = Vec::with_capacity(size + payload.len().min(MASK_CHUNK));
                out.extend_from_slice(&header[..size]);
                let mut offset = 0;
                for chunk in payload.chunks(MASK_CHUNK) {
                    let from = out.len();
                    out.extend_from_slice(chunk);
                    apply_mask(&mut out[from..], key, offset);
                    offset += chunk.len();
                    self.inner.conn.write_all(&out)?;
                    out.clear();
                }
                if payload.is_empty() {
                    self.inner.conn.write_all(&out)?;
                }
            }
        }
        Ok(())
    }

    /// Closes with 1000 (normal closure); see [`close_with`](Self::close_with).
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
    /// # Errors
    ///
    /// [`Error::InvalidCloseCode`] for a code that may not be sent;
    /// [`Error::ControlFrameTooLarge`] for a reason over 123 bytes.
    pub fn close_with(&self, code: u16, reason: &str) -> Result<()> {
        if !close::is_valid_close_code(code) {
            return Err(Error::InvalidCloseCode(code));
        }
        if reason.len() > 123 {
            return Err(Error::ControlFrameTooLarge);
        }
        if self.inner.state.get() != State::Open {
            return Ok(());
        }
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        self.inner.state.set(State::CloseSent);
        let sent = {
            let _writer = self.inner.write_lock.acquire();
            self.send_pending_control()
                .and_then(|()| self.send_frame(true, FrameType::Close, &payload))
        };
        if let Err(err) = sent {
            // The peer does not take data (a write timeout): no handshake is
            // possible. Close, which also ends a `read` waiting in another coroutine.
            self.inner.state.set(State::Closed);
            let _ = self.inner.conn.shutdown(Shutdown::Both);
            return Err(err);
        }
        if self.inner.reading.get() {
            // The coroutine in `read` receives the peer's close; give it time.
            let deadline = Instant::now() + self.inner.config.close_timeout;
            while self.inner.state.get() != State::Closed && Instant::now() < deadline {
                time::sleep(Duration::from_millis(5));
            }
            self.inner.state.set(State::Closed);
            let _ = self.inner.conn.shutdown(Shutdown::Both);
        } else {
            let mut reader = std::mem::take(&mut *self.inner.reader.borrow_mut());
            self.await_peer_close(&mut reader);
            self.finish_close(&mut reader);
            *self.inner.reader.borrow_mut() = reader;
        }
        Ok(())
    }
}
