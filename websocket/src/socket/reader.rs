//! The reading side of a socket: the receive buffer, frames read from it, and
//! data frames reassembled into messages. What a frame may be is decided by
//! [`Rules`]; this module only reports a broken rule, it does not act on it.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;
use std::time::Instant;

use silly_net::Conn;
use silly_runtime::time;

use super::rate::Rate;
use crate::deflate::Inflater;
use crate::frame::{self, FrameType, Header};
use crate::mask::apply_mask;
use crate::message::Message;
use crate::rules::{Assembly, Rules, Violation};
use crate::utf8::Utf8Validator;

/// A frame buffer up to this size is kept between messages; a larger one is
/// freed once drained.
const KEEP_BUFFER: usize = 1024;

/// The reading side's state. The socket takes it out of its cell while a read
/// runs, so no borrow is held across a suspension.
#[derive(Default)]
pub(super) struct Reader {
    /// Received bytes are `buf[start..end]` (`end == buf.len()`).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The message being reassembled and its type.
    message: Vec<u8>,
    message_type: Option<FrameType>,
    utf8: Utf8Validator,
    /// The type of the frame whose header is next in `buf` when the rules
    /// have accepted it and its payload, unmasked, is already at the end of
    /// `message` (see [`take_frame`](Self::take_frame)).
    prefilled: Option<FrameType>,
    /// Whether the message being read is compressed (permessage-deflate:
    /// RSV1 on its first frame, which the rules allow only when negotiated).
    compressed: bool,
    /// The frame being read, once its header is accepted: kept here, not in
    /// a local of the read, so a read cut short (an interrupt, the read
    /// timeout) goes on with this frame's payload on the next call.
    current: Option<(Header, FrameType)>,
    /// Payload bytes of `current` already taken (into `message`, checked).
    current_done: usize,
    /// A message read whose return was cut short (a ping, while its pong
    /// was being sent): the next read returns it.
    pub(super) held: Option<Message>,
    /// With keepalive (`Config::ping_interval`): stamped with the loop's
    /// clock whenever bytes come in (see `liveness`).
    pub(super) heard: Option<Rc<Cell<Instant>>>,
    /// With `Config::max_messages_per_second`: the peer's message budget.
    /// Boxed: a socket without the limit pays one pointer.
    pub(super) rate: Option<Box<Rate>>,
}

/// What [`Reader::next_frame`] read.
pub(super) enum Frame {
    /// The last frame of a text or binary message, and the whole message
    /// (a [`Message::Text`] or [`Message::Binary`]).
    Message(Message),
    /// A data frame that did not end its message, or one dropped because it
    /// arrived after our close frame.
    Fragment,
    /// A ping, pong or close frame, with its payload unmasked.
    Control(FrameType, Vec<u8>),
}

/// Why reading stopped before a frame was complete.
#[derive(Debug)]
pub(super) enum Stop {
    /// The connection ended (EOF).
    Eof,
    /// A socket error, or the read deadline passed.
    Io(io::Error),
    /// The header broke a rule; none of its frame's payload has been read.
    Header(Violation, Header),
    /// The payload broke a rule; `unread` bytes of its frame are still to come.
    Payload(Violation, u64),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

impl Reader {
    /// A reader that starts with `early`: bytes that came in behind the
    /// handshake.
    pub(super) fn new(early: Vec<u8>) -> Reader {
        Reader {
            end: early.len(),
            buf: early,
            ..Reader::default()
        }
    }

    #[inline]
    pub(super) fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    #[inline]
    pub(super) fn consume(&mut self, n: usize) {
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

    /// The message reassembled so far.
    pub(super) fn take_message(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.message)
    }

    /// Drops consumed bytes from the front.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Reads more bytes into the buffer; `Ok(false)` at EOF. Over plain TCP no
    /// read buffer is held while waiting (see `Conn::read_into`), so an idle
    /// connection owns none, and a large frame arrives in one `read`.
    pub(super) fn fill(&mut self, conn: &Conn, deadline: Option<Instant>) -> io::Result<bool> {
        self.compact();
        let n = conn.read_into(deadline, &mut self.buf)?;
        self.end = self.buf.len();
        self.stamp();
        Ok(n > 0)
    }

    /// Notes that the peer was heard from, for keepalive: the loop's clock,
    /// no system call, and nothing at all without keepalive.
    #[inline]
    fn stamp(&self) {
        if let Some(heard) = &self.heard {
            heard.set(time::loop_now());
        }
    }

    /// Takes one message of the peer's (data, ping or pong) against
    /// `Config::max_messages_per_second`: false when it is one too many.
    #[inline]
    pub(super) fn admit(&mut self) -> bool {
        match &mut self.rate {
            None => true,
            Some(rate) => rate.admit(time::loop_now()),
        }
    }

    /// [`fill`](Self::fill) when the buffer is empty and a frame header comes
    /// next: a whole data frame read at once has its payload put straight into
    /// the message ([`take_frame`](Self::take_frame)).
    #[inline]
    fn fill_at_header(
        &mut self,
        conn: &Conn,
        rules: &Rules,
        deadline: Option<Instant>,
    ) -> io::Result<bool> {
        if conn.is_tls() || self.prefilled.is_some() {
            return self.fill(conn, deadline);
        }
        self.compact();
        let n = conn.read_with(deadline, |bytes| {
            self.take_frame(bytes, rules);
            bytes.len()
        })?;
        self.end = self.buf.len();
        self.stamp();
        Ok(n > 0)
    }

    /// Takes freshly read `bytes`, which start with a frame header, into the
    /// empty buffer. When they hold a whole data frame that the rules accept,
    /// its payload goes straight into `message`, unmasked, and only its header
    /// and what follows the frame into `buf`: the payload is copied once, not
    /// through `buf`.
    fn take_frame(&mut self, bytes: &[u8], rules: &Rules) {
        debug_assert!(self.buf.is_empty() && self.prefilled.is_none());
        if let Some(h) = frame::parse_header(bytes) {
            // `h.len` is the peer's 64-bit claim: compare, never add, before
            // the rules have checked it.
            let in_this_read = (bytes.len() - h.size) as u64;
            let accepted = if h.len <= in_this_read {
                rules.check(&h, self.assembly()).ok()
            } else {
                None
            };
            if let Some(kind) = accepted.filter(|kind| !kind.is_control()) {
                let frame_end = h.size + h.len as usize;
                let from = self.message.len();
                self.message.extend_from_slice(&bytes[h.size..frame_end]);
                if let Some(key) = h.mask {
                    apply_mask(&mut self.message[from..], key, 0);
                }
                self.prefilled = Some(kind);
                self.buf.extend_from_slice(&bytes[..h.size]);
                self.buf.extend_from_slice(&bytes[frame_end..]);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The message in progress as the rules see it.
    #[inline]
    fn assembly(&self) -> Assembly {
        Assembly {
            kind: self.message_type,
            len: self.message.len() as u64,
        }
    }

    /// Reads the next frame header. With `rules`, a whole data frame that
    /// arrives in one read skips the buffer ([`fill_at_header`](Self::fill_at_header)).
    #[inline]
    pub(super) fn read_header(
        &mut self,
        conn: &Conn,
        rules: Option<&Rules>,
        deadline: Option<Instant>,
    ) -> Result<Header, Stop> {
        loop {
            if let Some(header) = frame::parse_header(self.available()) {
                self.consume(header.size);
                return Ok(header);
            }
            let more = match rules {
                Some(rules) if self.available().is_empty() => {
                    self.fill_at_header(conn, rules, deadline)?
                }
                _ => self.fill(conn, deadline)?,
            };
            if !more {
                return Err(Stop::Eof);
            }
        }
    }

    /// Reads the next frame: a control frame whole, a data frame into the
    /// message (a compressed one inflated with `inflater`). `open` says whether data is still taken: after our close
    /// frame it is not, and data frames are read (to find the peer's close
    /// frame behind them) and dropped, their text unchecked (RFC 6455, section
    /// 5.5.1). It is asked again after each suspension.
    #[inline]
    pub(super) fn next_frame(
        &mut self,
        conn: &Conn,
        rules: &Rules,
        deadline: Option<Instant>,
        open: impl Fn() -> bool,
        inflater: &RefCell<Option<Box<Inflater>>>,
    ) -> Result<Frame, Stop> {
        let (h, kind, prefilled) = match self.current {
            Some((h, kind)) => (h, kind, false),
            None => {
                let (h, kind) = self.accept_header(conn, rules, deadline, &open)?;
                (h, kind, self.prefilled.take().is_some())
            }
        };
        if kind.is_control() {
            let payload = self.read_control_payload(conn, &h, deadline)?;
            self.current = None;
            return Ok(Frame::Control(kind, payload));
        }
        self.read_data_payload(conn, &h, prefilled, deadline, &open)?;
        self.current = None;
        if self.compressed && open() {
            self.inflate_frame(h.fin, rules, inflater)?;
        }
        if !h.fin {
            return Ok(Frame::Fragment);
        }
        let kind = self.message_type.take().expect("set by the first fragment");
        if !open() {
            self.message.clear();
            self.utf8 = Utf8Validator::default();
            if self.compressed {
                if let Some(inflater) = &mut *inflater.borrow_mut() {
                    inflater.finish();
                }
            }
            return Ok(Frame::Fragment);
        }
        let data = self.take_message();
        if kind != FrameType::Text {
            return Ok(Frame::Message(Message::Binary(data)));
        }
        // The check of the last piece (see `crate::utf8`), which also makes
        // the text a `String`.
        match String::from_utf8(data) {
            Ok(text) => Ok(Frame::Message(Message::Text(text))),
            Err(_) => Err(Stop::Payload(Violation::INVALID_TEXT, 0)),
        }
    }

    /// Gives up the frame a read cut short was in: how many of its payload
    /// bytes are still to come (what to skip to find the next header).
    pub(super) fn abandon_current(&mut self) -> u64 {
        match self.current.take() {
            Some((h, kind)) if kind.is_control() => h.len,
            Some((h, _)) => h.len - self.current_done as u64,
            None => 0,
        }
    }

    /// Reads the next frame header and checks it: the frame becomes
    /// `current`, a data frame that starts a message starts it.
    #[inline]
    fn accept_header(
        &mut self,
        conn: &Conn,
        rules: &Rules,
        deadline: Option<Instant>,
        open: &impl Fn() -> bool,
    ) -> Result<(Header, FrameType), Stop> {
        let h = self.read_header(conn, open().then_some(rules), deadline)?;
        let kind = match self.prefilled {
            // `take_frame` has checked this very header, the message as now.
            Some(kind) => kind,
            None => match rules.check(&h, self.assembly()) {
                Ok(kind) => kind,
                Err(violation) => return Err(Stop::Header(violation, h)),
            },
        };
        if !kind.is_control() && kind != FrameType::Continuation {
            self.message_type = Some(kind);
            self.utf8 = Utf8Validator::default();
            // The rules let RSV1 through only here, and only with an inflater.
            self.compressed = h.rsv != 0;
        }
        self.current = Some((h, kind));
        self.current_done = 0;
        Ok((h, kind))
    }

    /// Inflates the compressed frame that `message` holds (and only it) into
    /// the inflater's message; at the message's end (`fin`), `message`
    /// becomes the whole inflated message. The size limit applies to the
    /// inflated bytes, and text is checked as it is inflated.
    fn inflate_frame(
        &mut self,
        fin: bool,
        rules: &Rules,
        inflater: &RefCell<Option<Box<Inflater>>>,
    ) -> Result<(), Stop> {
        let mut inflater = inflater.borrow_mut();
        let Some(inflater) = inflater.as_mut() else {
            return Ok(());
        };
        let text = self.message_type == Some(FrameType::Text);
        let limit = usize::try_from(rules.max_message).unwrap_or(usize::MAX);
        inflater
            .inflate(&self.message, fin, limit, text.then_some(&mut self.utf8))
            .map_err(|violation| Stop::Payload(violation, 0))?;
        self.message.clear();
        if fin {
            self.message = inflater.finish();
        }
        Ok(())
    }

    /// Reads the payload of control frame `h` (at most 125 bytes: checked).
    pub(super) fn read_control_payload(
        &mut self,
        conn: &Conn,
        h: &Header,
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>, Stop> {
        while self.available().len() < h.len as usize {
            if !self.fill(conn, deadline)? {
                return Err(Stop::Eof);
            }
        }
        Ok(self.take_control_payload(h))
    }

    /// The payload of control frame `h`, unmasked, from the buffer, which
    /// holds all of it.
    fn take_control_payload(&mut self, h: &Header) -> Vec<u8> {
        let len = h.len as usize;
        let mut payload = self.available()[..len].to_vec();
        self.consume(len);
        if let Some(key) = h.mask {
            apply_mask(&mut payload, key, 0);
        }
        payload
    }

    /// Appends the payload of data frame `h` to the message, unmasked, checking
    /// text as it arrives. A `prefilled` payload is there already.
    #[inline]
    fn read_data_payload(
        &mut self,
        conn: &Conn,
        h: &Header,
        prefilled: bool,
        deadline: Option<Instant>,
        open: &impl Fn() -> bool,
    ) -> Result<(), Stop> {
        // Compressed text is checked as it is inflated, not here.
        let text = self.message_type == Some(FrameType::Text) && !self.compressed;
        let mut offset = self.current_done;
        let mut remaining = h.len as usize - offset;
        // A prefilled payload is the first and only piece, already unmasked.
        let mut prefilled_from = prefilled.then(|| self.message.len() - remaining);
        while remaining > 0 {
            let from = match prefilled_from.take() {
                Some(from) => from,
                None => {
                    if self.available().is_empty() && !self.fill(conn, deadline)? {
                        return Err(Stop::Eof);
                    }
                    let n = remaining.min(self.available().len());
                    let from = self.message.len();
                    self.message
                        .extend_from_slice(&self.buf[self.start..self.start + n]);
                    self.consume(n);
                    if let Some(key) = h.mask {
                        apply_mask(&mut self.message[from..], key, offset);
                    }
                    from
                }
            };
            let n = self.message.len() - from;
            // Validate as bytes arrive: an invalid text fails at once, not when
            // the (possibly huge, possibly never-ending) message completes. The
            // piece that completes the message is checked with all of it, once
            // it is whole (`next_frame`).
            let completes = h.fin && n == remaining;
            if text && !completes && open() && self.utf8.feed(&self.message[from..]).is_err() {
                let unread = (remaining - n) as u64;
                return Err(Stop::Payload(Violation::INVALID_TEXT, unread));
            }
            remaining -= n;
            offset += n;
            self.current_done = offset;
        }
        Ok(())
    }

    /// Drops `len` payload bytes of a frame we failed the connection on.
    /// `Ok(None)` once they are dropped; `Err` if the connection ended or the
    /// deadline passed first.
    ///
    /// A peer that answers our close frame at once gives up on the frame it
    /// was sending (Autobahn's client does, cases 6.4.3 and 6.4.4): its close
    /// frame comes where the rest of the payload was due, and the rest never
    /// does. So a read that holds one whole close frame the rules accept, and
    /// nothing else, is taken as that answer: `Ok(Some(payload))`, unmasked.
    pub(super) fn skip_payload(
        &mut self,
        conn: &Conn,
        rules: &Rules,
        mut len: u64,
        deadline: Option<Instant>,
    ) -> Result<Option<Vec<u8>>, Stop> {
        while len > 0 {
            if self.available().is_empty() {
                if !self.fill(conn, deadline)? {
                    return Err(Stop::Eof);
                }
                if let Some(payload) = self.lone_close_frame(rules) {
                    return Ok(Some(payload));
                }
            }
            let n = len.min(self.available().len() as u64);
            self.consume(n as usize);
            len -= n;
        }
        Ok(None)
    }

    /// The payload of the close frame that the buffer holds exactly, if so.
    fn lone_close_frame(&mut self, rules: &Rules) -> Option<Vec<u8>> {
        let h = frame::parse_header(self.available())?;
        let whole = h.len == (self.available().len() - h.size) as u64;
        if !whole || rules.check(&h, Assembly::default()) != Ok(FrameType::Close) {
            return None;
        }
        self.consume(h.size);
        Some(self.take_control_payload(&h))
    }
}
