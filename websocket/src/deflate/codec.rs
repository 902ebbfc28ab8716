//! Compressing and inflating messages (RFC 7692, section 7.2) with flate2's
//! raw deflate on zlib-rs. No I/O: bytes in, bytes out, with the limits and
//! checks the reader needs while inflating.
//!
//! A direction with context takeover owns its compressor or decompressor
//! (made at its first compressed message). Without takeover every message
//! starts afresh, so contexts are the runtime's: a compressor per window and
//! level, used without suspending; decompressors lent for one message (which
//! may span suspensions) and given back.

use std::cell::RefCell;
use std::io;

use flate2::{Compress, Decompress, FlushCompress, FlushDecompress, Status};

use super::negotiate::Direction;
use super::prepared::PreparedMessage;
use super::settings::Compression;
use crate::close::code;
use crate::rules::Violation;
use crate::utf8::Utf8Validator;

/// RFC 7692, section 7.2.1: the sender removes these 4 octets from the end of
/// a message's compressed data; section 7.2.2: the receiver appends them.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Bytes inflated per step: how far past `max_message_bytes` a bomb gets
/// before it is stopped is at most one step (or one byte).
const INFLATE_STEP: usize = 32 * 1024;

/// A larger scratch buffer is not kept between messages.
const KEEP_SCRATCH: usize = 64 * 1024;

thread_local! {
    /// Compressors without takeover, one per (window bits, level).
    static COMPRESSORS: RefCell<Vec<(u8, u32, Compress)>> = const { RefCell::new(Vec::new()) };
    /// A decompressor without takeover, between messages.
    static DECOMPRESSOR: RefCell<Option<Decompress>> = const { RefCell::new(None) };
}

/// The violation for compressed data that does not inflate.
const CORRUPT: Violation = Violation {
    code: code::INVALID_PAYLOAD,
    reason: "compressed message does not inflate",
};

const TOO_BIG: Violation = Violation {
    code: code::MESSAGE_TOO_BIG,
    reason: "message over the size limit",
};

fn new_compress(window_bits: u8, level: u32) -> Compress {
    Compress::new_with_window_bits(flate2::Compression::new(level), false, window_bits)
}

/// The sending side of a compressed connection.
pub(crate) struct Deflater {
    send: Direction,
    level: u32,
    threshold: usize,
    /// With takeover: this connection's compressor, once used.
    own: RefCell<Option<Compress>>,
}

impl Deflater {
    pub(crate) fn new(send: Direction, settings: &Compression) -> Deflater {
        Deflater {
            send,
            level: settings.level,
            threshold: settings.threshold,
            own: RefCell::new(None),
        }
    }

    /// Compresses a message into `out` (cleared first), the tail removed.
    /// `Ok(false)`: send it as it is (RSV1 clear), because it is below the
    /// threshold, or because the agreed window is 8 bits, which zlib cannot
    /// compress within (it would use 9; RFC 7692 lets any message go
    /// uncompressed).
    pub(crate) fn compress(&self, data: &[u8], out: &mut Vec<u8>) -> io::Result<bool> {
        if data.len() < self.threshold || self.send.window_bits < 9 {
            return Ok(false);
        }
        let (bits, level) = (self.send.window_bits, self.level);
        if self.send.takeover {
            let mut own = self.own.borrow_mut();
            let c = own.get_or_insert_with(|| new_compress(bits, level));
            deflate(c, data, out)?;
        } else {
            COMPRESSORS.with(|pool| {
                let mut pool = pool.borrow_mut();
                let at = match pool.iter().position(|(b, l, _)| (*b, *l) == (bits, level)) {
                    Some(at) => at,
                    None => {
                        pool.push((bits, level, new_compress(bits, level)));
                        pool.len() - 1
                    }
                };
                let c = &mut pool[at].2;
                let result = deflate(c, data, out);
                c.reset();
                result
            })?;
        }
        Ok(true)
    }
}

/// What to send for a prepared message.
pub(crate) enum Payload {
    /// The message as it is (RSV1 clear).
    Plain,
    /// Compressed into the scratch buffer given (context takeover).
    Scratch,
    /// The compressed form shared by every socket of the same settings.
    Shared(std::rc::Rc<[u8]>),
}

impl Deflater {
    /// [`compress`](Self::compress) for a prepared message: without
    /// takeover, the compressed form is made once and kept in the message.
    pub(crate) fn compress_prepared(
        &self,
        msg: &PreparedMessage,
        out: &mut Vec<u8>,
    ) -> io::Result<Payload> {
        if msg.data.len() < self.threshold || self.send.window_bits < 9 {
            return Ok(Payload::Plain);
        }
        if self.send.takeover {
            self.compress(&msg.data, out)?;
            return Ok(Payload::Scratch);
        }
        let shared = msg.compressed(self.send.window_bits, self.level, |data| {
            let mut bytes = Vec::new();
            self.compress(data, &mut bytes)?;
            Ok(bytes)
        })?;
        Ok(Payload::Shared(shared))
    }
}

impl Deflater {
    /// The compressed form of `msg` that every socket of the same settings
    /// sends, made once and kept in `msg`; `None` when this socket sends it
    /// uncompressed: below the threshold, an 8-bit window, or context
    /// takeover. With takeover, a message compressed ahead of its turn on
    /// the wire would break the context's order, and RFC 7692 (section 6)
    /// lets any message go uncompressed, which leaves the context as it is.
    pub(crate) fn shared_form(
        &self,
        msg: &PreparedMessage,
    ) -> io::Result<Option<std::rc::Rc<[u8]>>> {
        if self.send.takeover {
            return Ok(None);
        }
        match self.compress_prepared(msg, &mut Vec::new())? {
            Payload::Shared(bytes) => Ok(Some(bytes)),
            Payload::Plain | Payload::Scratch => Ok(None),
        }
    }
}

/// Compresses `data` with a sync flush (RFC 7692, section 7.2.1) into `out`.
fn deflate(c: &mut Compress, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    out.clear();
    out.reserve(data.len() / 2 + 64);
    let start = c.total_in();
    loop {
        let consumed = (c.total_in() - start) as usize;
        c.compress_vec(&data[consumed..], out, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        let consumed = (c.total_in() - start) as usize;
        // Done once all is in and the flush did not fill the output.
        if consumed == data.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity().max(64));
    }
    if out.ends_with(&TAIL) {
        out.truncate(out.len() - TAIL.len());
    } else if out.is_empty() {
        // An empty message right after a flush makes zlib emit nothing: the
        // tail alone would not inflate. RFC 7692, section 7.2.3.6: an empty
        // stored block's header, 0x00, carries the empty message.
        out.push(0x00);
    }
    Ok(())
}

/// A scratch buffer for compressed output, lent per thread.
pub(crate) fn take_scratch() -> Vec<u8> {
    SCRATCH.take()
}

/// Gives [`take_scratch`]'s buffer back (a large one is freed).
pub(crate) fn give_scratch(buf: Vec<u8>) {
    if buf.capacity() <= KEEP_SCRATCH {
        SCRATCH.set(buf);
    }
}

thread_local! {
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The receiving side of a compressed connection: the reader keeps one.
pub(crate) struct Inflater {
    recv: Direction,
    /// With takeover, kept for good; without, lent for one message.
    own: Option<Decompress>,
    /// The message inflated so far.
    out: Vec<u8>,
}

impl Inflater {
    pub(crate) fn new(recv: Direction) -> Inflater {
        Inflater {
            recv,
            own: None,
            out: Vec::new(),
        }
    }

    /// Inflates one frame's compressed `payload`; `last` (the frame ends its
    /// message) adds the tail. Stops with 1009 as soon as the message would
    /// pass `limit` bytes, with 1007 when the data is not deflate; text
    /// (`utf8`) is checked as it is inflated, except the last frame's, which
    /// the reader checks with the whole message.
    pub(crate) fn inflate(
        &mut self,
        payload: &[u8],
        last: bool,
        limit: usize,
        utf8: Option<&mut Utf8Validator>,
    ) -> Result<(), Violation> {
        let takeover = self.recv.takeover;
        // A decompressor with a larger window inflates all a smaller one
        // would: 8 bits (which zlib-rs refuses) is inflated with 9, and the
        // runtime's shared decompressors, which serve every peer, with 15.
        let bits = if takeover {
            self.recv.window_bits.max(9)
        } else {
            15
        };
        let d = self.own.get_or_insert_with(|| {
            let pooled = (!takeover).then(|| DECOMPRESSOR.take()).flatten();
            pooled.unwrap_or_else(|| Decompress::new_with_window_bits(false, bits))
        });
        let utf8 = if last { None } else { utf8 };
        inflate_into(d, payload, &mut self.out, limit, utf8)?;
        if last {
            inflate_into(d, &TAIL, &mut self.out, limit, None)?;
        }
        Ok(())
    }

    /// The whole inflated message, once its last frame is in. Without
    /// takeover the decompressor is reset and given back to the runtime.
    pub(crate) fn finish(&mut self) -> Vec<u8> {
        if !self.recv.takeover {
            if let Some(mut d) = self.own.take() {
                d.reset(false);
                DECOMPRESSOR.with(|slot| {
                    slot.borrow_mut().get_or_insert(d);
                });
            }
        }
        std::mem::take(&mut self.out)
    }
}

/// Inflates all of `input` onto `out`, in steps, never past `limit` + 1
/// bytes of `out`.
fn inflate_into(
    d: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
    limit: usize,
    mut utf8: Option<&mut Utf8Validator>,
) -> Result<(), Violation> {
    let mut consumed = 0;
    loop {
        let from = out.len();
        // Room for what the input left likely gives, growing with the output
        // for data that expands more; zeroed (no `unsafe`), so kept small. One
        // byte over the limit is room enough to know it is passed.
        let likely = ((input.len() - consumed) * 4).max(from / 2).max(1024);
        let room = likely
            .min(INFLATE_STEP)
            .min(limit.saturating_add(1).saturating_sub(from));
        if room == 0 {
            return Err(TOO_BIG);
        }
        out.resize(from + room, 0);
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let status = d.decompress(&input[consumed..], &mut out[from..], FlushDecompress::Sync);
        let used = (d.total_in() - in_before) as usize;
        let produced = (d.total_out() - out_before) as usize;
        out.truncate(from + produced);
        let status = status.map_err(|_| CORRUPT)?;
        consumed += used;
        if out.len() > limit {
            return Err(TOO_BIG);
        }
        if let Some(v) = utf8.as_deref_mut() {
            v.feed(&out[from..]).map_err(|()| Violation::INVALID_TEXT)?;
        }
        if status == Status::StreamEnd {
            // A final block (BFINAL) ended the stream: what follows it is
            // ignored, and the next message starts a new one.
            d.reset(false);
            return Ok(());
        }
        if consumed == input.len() && produced < room {
            return Ok(());
        }
        if used == 0 && produced == 0 {
            return Err(CORRUPT);
        }
    }
}

#[cfg(test)]
mod tests;
