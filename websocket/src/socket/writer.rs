//! The writing side of a socket: frames on the wire one at a time, and control
//! frames that wait for the writer holding the wire. A write cut short
//! leaves the rest of its frame, and of its message, owed ([`owed`](super::owed)).

use std::cell::{Cell, RefCell};
use std::io;

use silly_net::Conn;
use silly_runtime::sync::Semaphore;

use super::owed::{new_mask, push_rest, Debt, FrameOut, MessageOut};
use crate::deflate::{self, Deflater, Payload, PreparedMessage};
use crate::frame::{self, FrameType};
use crate::mask::apply_mask;

/// Payload bytes masked per write on the client side (a scratch copy: the
/// caller's data is borrowed, not ours to mask in place).
const MASK_CHUNK: usize = 16 * 1024;

/// Unmasked frames up to this payload size are copied behind their header and
/// sent with one `write`; larger ones go out with `writev`, uncopied.
const SMALL_FRAME: usize = 2 * 1024;

thread_local! {
    static SMALL_FRAME_OUT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// What a corked write ([`Writer::try_cork`]) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cork {
    /// Everything went out; the wire is free again.
    Sent,
    /// This many bytes went out (maybe none) and the rest must wait for the
    /// socket. The wire stays held for the caller, who finishes what it
    /// started (a frame may have gone out in part: nothing else may come
    /// between its bytes) and then calls [`Writer::release`].
    Held(usize),
    /// Another writer holds the wire, or control frames wait for it: nothing
    /// was written, and the wire is not held.
    Busy,
}

/// Control frames that wait for the writer holding the wire: at most one of
/// each kind, so a peer that pings a stuck writer costs nothing more.
#[derive(Default)]
struct Pending {
    /// The pong for the latest ping: "If an endpoint receives a Ping frame
    /// and has not yet sent Pong frame(s) in response to previous Ping
    /// frame(s), the endpoint MAY elect to send a Pong frame for only the
    /// most recently processed Ping frame." (RFC 6455, section 5.5.3)
    pong: Option<Vec<u8>>,
    /// Our keepalive ping (`Config::ping_interval`), empty: a flag, not a
    /// buffer, so a socket pays a byte for it.
    ping: bool,
    /// Our close frame (answering the peer's, or failing the connection).
    close: Option<Vec<u8>>,
}

impl Pending {
    #[inline]
    fn is_empty(&self) -> bool {
        self.pong.is_none() && !self.ping && self.close.is_none()
    }
}

/// Writes frames to a connection; every method takes that connection.
pub(super) struct Writer {
    /// Whether our frames are masked (RFC 6455, section 5.1: a client masks
    /// every frame, a server none).
    masked: bool,
    /// One frame (or one fragmented message) on the wire at a time.
    lock: Semaphore,
    /// Control frames that could not be sent at once because a writer held
    /// the lock; that writer sends them after its current frame.
    pending: RefCell<Pending>,
    /// What a write cut short left to send: the next holder of the lock
    /// sends it before anything else.
    debt: Debt,
    /// With permessage-deflate: compresses messages. Boxed, so a connection
    /// without compression pays one pointer for it.
    deflater: Option<Box<Deflater>>,
}

impl Writer {
    pub(super) fn new(masked: bool, deflater: Option<Box<Deflater>>) -> Writer {
        Writer {
            masked,
            deflater,
            lock: Semaphore::new(1),
            pending: RefCell::new(Pending::default()),
            debt: Debt::default(),
        }
    }

    /// Whether a write over TLS was cut short: the connection cannot go on.
    pub(super) fn is_torn(&self) -> bool {
        self.debt.is_torn()
    }

    /// Sends what a write cut short left, if anything (waiting for the
    /// writer before), so the peer has every frame begun whole.
    pub(super) fn flush(&self, conn: &Conn) -> io::Result<()> {
        let _writer = self.lock.acquire();
        self.debt.settle(conn)?;
        self.send_pending(conn)
    }

    /// Sends a message after the writer before it: a ping or pong whole, text
    /// or binary in fragments of `fragment_size` when it is that large or
    /// more. Pending control frames go out between fragments.
    #[inline]
    pub(super) fn send_message(
        &self,
        conn: &Conn,
        data: &[u8],
        kind: FrameType,
        fragment_size: usize,
    ) -> io::Result<()> {
        let _writer = self.lock.acquire();
        self.debt.settle(conn)?;
        match &self.deflater {
            // Compressed under the lock: with context takeover, messages must
            // go out in the order they were compressed.
            Some(deflater) if !kind.is_control() => {
                self.send_compressed(conn, deflater, data, kind, fragment_size)?
            }
            _ => self.send_data(conn, data, kind, fragment_size, false)?,
        }
        self.send_pending(conn)
    }

    /// Compresses a message (unless it is not worth it) and sends it. Out of
    /// line: the uncompressed path stays as small as it was.
    #[inline(never)]
    fn send_compressed(
        &self,
        conn: &Conn,
        deflater: &Deflater,
        data: &[u8],
        kind: FrameType,
        fragment_size: usize,
    ) -> io::Result<()> {
        let mut out = deflate::take_scratch();
        let sent = match deflater.compress(data, &mut out) {
            Ok(true) => self.send_data(conn, &out, kind, fragment_size, true),
            Ok(false) => self.send_data(conn, data, kind, fragment_size, false),
            Err(e) => Err(e),
        };
        deflate::give_scratch(out);
        sent
    }

    /// Sends a prepared message after the writer before it: compressed as
    /// [`PreparedMessage`] explains, or as [`send_message`](Self::send_message).
    pub(super) fn send_prepared(
        &self,
        conn: &Conn,
        msg: &PreparedMessage,
        fragment_size: usize,
    ) -> io::Result<()> {
        let _writer = self.lock.acquire();
        self.debt.settle(conn)?;
        let (data, kind) = (&msg.data[..], msg.kind);
        match &self.deflater {
            Some(deflater) => {
                let mut out = deflate::take_scratch();
                let sent = match deflater.compress_prepared(msg, &mut out) {
                    Ok(Payload::Plain) => self.send_data(conn, data, kind, fragment_size, false),
                    Ok(Payload::Scratch) => self.send_data(conn, &out, kind, fragment_size, true),
                    Ok(Payload::Shared(bytes)) => {
                        self.send_data(conn, &bytes, kind, fragment_size, true)
                    }
                    Err(e) => Err(e),
                };
                deflate::give_scratch(out);
                sent?;
            }
            None => self.send_data(conn, data, kind, fragment_size, false)?,
        }
        self.send_pending(conn)
    }

    /// Sends one message's payload, in fragments when it is `fragment_size`
    /// (at least 1: checked with the config) or more; `compressed` sets RSV1
    /// on the first frame (RFC 7692, section 6.1). The caller holds the lock.
    ///
    /// Cut short, the message is owed whole from its first byte on, and a
    /// compressed one from the start: its compressor has moved on with it
    /// (context takeover), so the peer's inflater must see it.
    #[inline(always)]
    fn send_data(
        &self,
        conn: &Conn,
        data: &[u8],
        kind: FrameType,
        fragment_size: usize,
        compressed: bool,
    ) -> io::Result<()> {
        if kind.is_control() || data.len() < fragment_size {
            return self.send_frame(conn, true, kind, compressed, data, compressed);
        }
        self.send_fragments(conn, data, kind, fragment_size, compressed)
    }

    /// [`send_data`](Self::send_data) for a message of more than one frame.
    #[inline(never)]
    fn send_fragments(
        &self,
        conn: &Conn,
        data: &[u8],
        kind: FrameType,
        fragment_size: usize,
        compressed: bool,
    ) -> io::Result<()> {
        self.debt.set_committed(compressed);
        let mut message = MessageOut {
            debt: &self.debt,
            masked: self.masked,
            data,
            fragment_size,
            next: 0,
            done: false,
        };
        let (mut opcode, mut rsv1) = (kind, compressed);
        while message.next < data.len() {
            let from = message.next;
            let end = (from + fragment_size).min(data.len());
            message.next = end;
            let last = end == data.len();
            self.send_frame(conn, last, opcode, rsv1, &data[from..end], compressed)?;
            self.debt.set_committed(true);
            (opcode, rsv1) = (FrameType::Continuation, false);
            if !last {
                self.send_pending(conn)?;
            }
        }
        message.done = true;
        self.debt.set_committed(false);
        Ok(())
    }

    /// Sends a control frame now if no writer is busy, else leaves it to the
    /// writer (which sends it after its current frame). A pong waiting
    /// there is replaced by a newer one (RFC 6455, section 5.5.3). Queued
    /// first either way: a send cut short (finishing what an earlier write
    /// left, say) leaves it for the next writer.
    pub(super) fn send_control(
        &self,
        conn: &Conn,
        kind: FrameType,
        payload: &[u8],
    ) -> io::Result<()> {
        {
            let mut pending = self.pending.borrow_mut();
            let slot = match kind {
                FrameType::Close => &mut pending.close,
                _ => &mut pending.pong,
            };
            *slot = Some(payload.to_vec());
        }
        self.send_pending_if_free(conn)
    }

    /// Sends an empty ping now if no writer is busy, else leaves it to the
    /// writer, as [`send_control`](Self::send_control) does.
    pub(super) fn send_ping(&self, conn: &Conn) -> io::Result<()> {
        self.pending.borrow_mut().ping = true;
        self.send_pending_if_free(conn)
    }

    /// Sends what is owed and pending if the wire is free.
    fn send_pending_if_free(&self, conn: &Conn) -> io::Result<()> {
        match self.lock.try_acquire() {
            Some(_writer) => {
                self.debt.settle(conn)?;
                self.send_pending(conn)
            }
            None => Ok(()),
        }
    }

    /// Sends a control frame after the writer before it (its whole message,
    /// fragments included) and any pending control frames.
    pub(super) fn send_control_in_turn(
        &self,
        conn: &Conn,
        kind: FrameType,
        payload: &[u8],
    ) -> io::Result<()> {
        let _writer = self.lock.acquire();
        self.debt.settle(conn)?;
        self.send_pending(conn)?;
        self.send_frame(conn, true, kind, false, payload, true)
    }

    /// Sends a last control frame, only if it can go now without waiting:
    /// the wire is free, nothing is owed, and the socket takes the frame
    /// (plain TCP; over TLS no write is sure not to wait, and nothing is
    /// sent). For a connection about to be ended: whatever went out of the
    /// frame, the end follows it.
    pub(super) fn send_parting(&self, conn: &Conn, kind: FrameType, payload: &[u8]) {
        let Some(_writer) = self.lock.try_acquire() else {
            return;
        };
        if !self.debt.is_empty() || conn.is_tls() {
            return;
        }
        let mask = self.masked.then(new_mask);
        let (header, size) =
            frame::encode_header(true, false, kind.opcode(), mask, payload.len() as u64);
        let mut out = Vec::with_capacity(size + payload.len());
        push_rest(&mut out, &header[..size], mask, payload, 0);
        let _ = conn.try_write_vectored(&[io::IoSlice::new(&out)]);
    }

    /// The hub's corked write: whole frames already made (unmasked, so this
    /// is for the server side), written with one non-blocking `writev` if
    /// no writer holds the wire. See [`Cork`] for what the caller owes.
    ///
    /// Frame atomicity: a write cut short leaves the lock taken (the permit
    /// is forgotten) instead of storing the rest here, so the socket's own
    /// writers, a pong, a close, queue behind the cut frame until the hub's
    /// writer coroutine has finished it and called [`release`](Self::release);
    /// control frames wait in `pending` meanwhile, as they do behind any
    /// writer.
    pub(super) fn try_cork(&self, conn: &Conn, bufs: &[io::IoSlice<'_>]) -> io::Result<Cork> {
        let Some(permit) = self.lock.try_acquire() else {
            return Ok(Cork::Busy);
        };
        if !self.pending.borrow().is_empty() || !self.debt.is_empty() {
            // Pongs and the rest of a write cut short first, and they need
            // a writer that may wait.
            return Ok(Cork::Busy);
        }
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        match conn.try_write_vectored(bufs) {
            Ok(n) if n == total => Ok(Cork::Sent),
            Ok(n) => {
                permit.forget();
                Ok(Cork::Held(n))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                permit.forget();
                Ok(Cork::Held(0))
            }
            Err(e) => Err(e),
        }
    }

    /// Takes the wire for the hub, waiting for the writer before it; given
    /// back with [`release`](Self::release).
    pub(super) fn hold(&self) {
        self.lock.acquire().forget();
    }

    /// Writes frames while the caller holds the wire (after [`Cork::Held`]
    /// or [`hold`](Self::hold)), suspending while the socket takes nothing
    /// (bounded by the write timeout); what a write cut short left goes out
    /// before them, control frames that queued meanwhile after them.
    pub(super) fn write_held(&self, conn: &Conn, bufs: &mut [io::IoSlice<'_>]) -> io::Result<()> {
        self.debt.settle(conn)?;
        conn.write_all_vectored(bufs)?;
        self.send_pending(conn)
    }

    /// Gives back the wire the hub held: pending control frames go out
    /// first, then the next writer's turn comes.
    pub(super) fn release(&self, conn: &Conn) -> io::Result<()> {
        let sent = self.send_pending(conn);
        self.lock.add_permits(1);
        sent
    }

    /// Gives back the wire the hub held, leaving pending control frames to
    /// the next writer.
    pub(super) fn release_permit(&self) {
        self.lock.add_permits(1);
    }

    /// The compressor, with permessage-deflate.
    pub(super) fn deflater(&self) -> Option<&Deflater> {
        self.deflater.as_deref()
    }

    /// Sends queued control frames, one at a time (one cut short leaves the
    /// other queued). The caller holds the lock.
    #[inline]
    fn send_pending(&self, conn: &Conn) -> io::Result<()> {
        if self.pending.borrow().is_empty() {
            return Ok(());
        }
        self.send_pending_now(conn)
    }

    #[inline(never)]
    fn send_pending_now(&self, conn: &Conn) -> io::Result<()> {
        let pong = self.pending.borrow_mut().pong.take();
        if let Some(payload) = pong {
            self.send_frame(conn, true, FrameType::Pong, false, &payload, true)?;
        }
        let ping = std::mem::take(&mut self.pending.borrow_mut().ping);
        if ping {
            self.send_frame(conn, true, FrameType::Ping, false, &[], true)?;
        }
        let close = self.pending.borrow_mut().close.take();
        if let Some(payload) = close {
            self.send_frame(conn, true, FrameType::Close, false, &payload, true)?;
        }
        Ok(())
    }

    /// Writes one frame; `owe`: if cut short, it is finished later even if
    /// none of it went out. The caller holds the lock.
    fn send_frame(
        &self,
        conn: &Conn,
        fin: bool,
        kind: FrameType,
        rsv1: bool,
        payload: &[u8],
        owe: bool,
    ) -> io::Result<()> {
        let mut frame = FrameOut::new(&self.debt, self.masked, fin, kind, rsv1, payload, owe);
        let (header, size) = (frame.header, frame.size);
        let debt = &self.debt;
        match frame.mask {
            None if payload.len() <= SMALL_FRAME => {
                // One plain write: copying a small payload costs less than the
                // kernel's vectored path. The buffer is per thread, not per socket
                // (idle sockets hold none); a writer that suspends keeps it, and
                // another meanwhile uses a fresh one.
                let mut out = SMALL_FRAME_OUT.take();
                out.clear();
                out.extend_from_slice(&header[..size]);
                out.extend_from_slice(payload);
                let result = debt.put(conn, &mut [io::IoSlice::new(&out)], &mut frame.sent);
                SMALL_FRAME_OUT.set(out);
                result?;
            }
            None => {
                // One syscall, header and payload together, and no copy of either.
                debt.put(
                    conn,
                    &mut [io::IoSlice::new(&header[..size]), io::IoSlice::new(payload)],
                    &mut frame.sent,
                )?;
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
                    debt.put(conn, &mut [io::IoSlice::new(&out)], &mut frame.sent)?;
                    out.clear();
                }
                if payload.is_empty() {
                    debt.put(conn, &mut [io::IoSlice::new(&out)], &mut frame.sent)?;
                }
            }
        }
        frame.done();
        Ok(())
    }
}
