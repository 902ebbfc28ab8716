//! Writes that survive being cut short. A write may stop anywhere: an
//! interrupt (`time::timeout`, `Task::cancel`, shutdown) unwinds the writing
//! coroutine where it waits, and the write timeout returns there. Whatever
//! part of a frame, or of a fragmented or compressed message, has gone out
//! by then must be finished before any other byte (RFC 6455, section 5.4:
//! fragments are not interleaved; a frame is not either). So the bytes still
//! due are kept by the socket ([`Owed`]) and the next holder of the wire
//! sends them first.
//!
//! Over plain TCP every write is one syscall whose count is kept, and a wait
//! writes nothing, so the count is exact wherever the cut falls. Over TLS the
//! TLS layer encrypts and sends in its own steps and reports no count: a
//! write cut there leaves the wire torn ([`Torn`]), and the socket ends the
//! connection instead.

use std::cell::{Cell, RefCell};
use std::io::{self, IoSlice};
use std::net::Shutdown;

use silly_net::tcp::TcpStream;
use silly_net::Conn;

use crate::frame::{self, FrameType, MAX_HEADER};
use crate::mask::apply_mask;
use crate::random;

/// Why a socket ended itself after a write over TLS was cut short.
pub(crate) const TLS_CUT: &str =
    "a write over TLS was cut short (an interrupt or the write timeout) \
     and left a partial frame: the connection was closed";

/// Bytes of a message that began to go out and was cut short, and how many
/// of them have gone out since.
#[derive(Default)]
pub(super) struct Owed {
    bytes: Vec<u8>,
    sent: usize,
}

/// The socket's record of writes cut short (see the module docs).
#[derive(Default)]
pub(super) struct Debt {
    owed: RefCell<Owed>,
    /// A message has begun to go out and is not finished: a frame of it cut
    /// now, even before its first byte, is owed whole, and so is the rest
    /// of the message.
    committed: Cell<bool>,
    /// A write over TLS is running: if this is still set when the write
    /// ends, it ended early and the wire is torn.
    in_tls_write: Cell<bool>,
}

impl Debt {
    /// Whether bytes are owed.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.owed.borrow().bytes.is_empty()
    }

    /// Whether a write over TLS stopped before it finished.
    pub(super) fn is_torn(&self) -> bool {
        self.in_tls_write.get()
    }

    pub(super) fn committed(&self) -> bool {
        self.committed.get()
    }

    pub(super) fn set_committed(&self, on: bool) {
        self.committed.set(on);
    }

    /// Sends what is owed, if anything; the caller holds the wire. A cut
    /// here keeps the rest owed.
    #[inline]
    pub(super) fn settle(&self, conn: &Conn) -> io::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        self.send_owed(conn)
    }

    #[cold]
    #[inline(never)]
    fn send_owed(&self, conn: &Conn) -> io::Result<()> {
        let mut back = PutBack {
            debt: self,
            owed: std::mem::take(&mut *self.owed.borrow_mut()),
        };
        let Owed { bytes, sent } = &mut back.owed;
        let from = *sent;
        self.put(conn, &mut [IoSlice::new(&bytes[from..])], sent)?;
        back.owed = Owed::default();
        Ok(())
    }

    /// Appends to what is owed.
    pub(super) fn owe(&self, bytes: &[u8]) {
        if !self.is_torn() {
            self.owed.borrow_mut().bytes.extend_from_slice(bytes);
        }
    }

    /// Writes all of `bufs`, adding to `sent` what goes out as it goes: over
    /// plain TCP a non-blocking `writev`, and when the socket takes nothing a
    /// wait that writes once (bounded by the write timeout), so a cut leaves
    /// `sent` exact. Over TLS the TLS layer's own write, with `in_tls_write`
    /// set while it runs.
    #[inline]
    pub(super) fn put(
        &self,
        conn: &Conn,
        bufs: &mut [IoSlice<'_>],
        sent: &mut usize,
    ) -> io::Result<()> {
        match conn {
            Conn::Tcp(tcp) => {
                // Most writes fit in the socket buffer: one `writev`.
                let total: usize = bufs.iter().map(|b| b.len()).sum();
                let n = match tcp.try_write_vectored(bufs) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                    Err(e) => return Err(e),
                };
                *sent += n;
                if n == total {
                    return Ok(());
                }
                put_rest(tcp, bufs, n, sent)
            }
            Conn::Tls(tls) => {
                self.in_tls_write.set(true);
                tls.write_all_vectored(bufs)?;
                self.in_tls_write.set(false);
                *sent += bufs.iter().map(|b| b.len()).sum::<usize>();
                Ok(())
            }
        }
    }
}

/// The rest of [`Debt::put`] over TCP once the socket took less than all
/// (`done` bytes): waits for room (each wait writes nothing, so a cut
/// there loses no count), then writes on.
#[cold]
#[inline(never)]
fn put_rest(
    tcp: &TcpStream,
    mut bufs: &mut [IoSlice<'_>],
    done: usize,
    sent: &mut usize,
) -> io::Result<()> {
    IoSlice::advance_slices(&mut bufs, done);
    while !bufs.is_empty() {
        let n = match tcp.try_write_vectored(bufs) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => match tcp.write(&bufs[0])? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => n,
            },
            Err(e) => return Err(e),
        };
        *sent += n;
        IoSlice::advance_slices(&mut bufs, n);
    }
    Ok(())
}

/// Puts back what is still owed when sending it is cut short.
struct PutBack<'a> {
    debt: &'a Debt,
    owed: Owed,
}

impl Drop for PutBack<'_> {
    fn drop(&mut self) {
        if self.owed.sent < self.owed.bytes.len() {
            *self.debt.owed.borrow_mut() = std::mem::take(&mut self.owed);
        }
    }
}

/// Ends the connection without suspending, for a drop guard while the
/// coroutine unwinds: the TCP connection is shut (under TLS too, without a
/// close_notify, which would be a write that may wait).
pub(super) fn shut_now(conn: &Conn) {
    let tcp = match conn {
        Conn::Tcp(tcp) => tcp,
        Conn::Tls(tls) => tls.tcp(),
    };
    let _ = tcp.shutdown(Shutdown::Both);
}

/// One frame on its way out. Dropped before it is [`done`](Self::done) (a
/// cut: unwound, or an error returned), it leaves what is left of it owed,
/// if any of it went out, or it is a control frame (tiny, and answering
/// something), or its message has begun.
pub(super) struct FrameOut<'a> {
    debt: &'a Debt,
    pub(super) header: [u8; MAX_HEADER],
    pub(super) size: usize,
    pub(super) mask: Option<[u8; 4]>,
    payload: &'a [u8],
    /// Bytes of the frame (header, then payload) that went out.
    pub(super) sent: usize,
    owe: bool,
    done: bool,
}

impl<'a> FrameOut<'a> {
    /// The frame `payload` becomes: masked with a fresh key when `masked`.
    #[inline]
    pub(super) fn new(
        debt: &'a Debt,
        masked: bool,
        fin: bool,
        kind: FrameType,
        rsv1: bool,
        payload: &'a [u8],
        owe: bool,
    ) -> FrameOut<'a> {
        let mask = masked.then(new_mask);
        let (header, size) =
            frame::encode_header(fin, rsv1, kind.opcode(), mask, payload.len() as u64);
        FrameOut {
            debt,
            header,
            size,
            mask,
            payload,
            sent: 0,
            owe: owe || kind.is_control(),
            done: false,
        }
    }

    /// The frame went out whole.
    #[inline]
    pub(super) fn done(mut self) {
        self.done = true;
    }
}

impl Drop for FrameOut<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.done || !(self.sent > 0 || self.owe || self.debt.committed()) {
            return;
        }
        let mut rest = Vec::new();
        push_rest(
            &mut rest,
            &self.header[..self.size],
            self.mask,
            self.payload,
            self.sent,
        );
        // What follows in its message is owed too (see `MessageOut`).
        self.debt.owe(&rest);
    }
}

/// A fragmented message on its way out, from the fragment after the one
/// being sent (`next`). Dropped before it is done while the message is
/// committed, or after its frame being sent left bytes owed (it had begun:
/// nothing was owed when the writer took the wire), it leaves the
/// fragments still to go owed.
pub(super) struct MessageOut<'a> {
    pub(super) debt: &'a Debt,
    pub(super) masked: bool,
    pub(super) data: &'a [u8],
    pub(super) fragment_size: usize,
    /// Where the fragments not yet begun start in `data`.
    pub(super) next: usize,
    pub(super) done: bool,
}

impl Drop for MessageOut<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if self.debt.committed() || !self.debt.is_empty() {
            let mut rest = Vec::new();
            let mut at = self.next;
            while at < self.data.len() {
                let end = (at + self.fragment_size).min(self.data.len());
                let mask = self.masked.then(new_mask);
                let payload = &self.data[at..end];
                let fin = end == self.data.len();
                let (header, size) = frame::encode_header(
                    fin,
                    false,
                    FrameType::Continuation.opcode(),
                    mask,
                    payload.len() as u64,
                );
                push_rest(&mut rest, &header[..size], mask, payload, 0);
                at = end;
            }
            self.debt.owe(&rest);
        }
        self.debt.set_committed(false);
    }
}

/// Appends the frame made of `header` and `payload` (masked with `mask`) to
/// `out`, less its first `sent` bytes.
pub(super) fn push_rest(
    out: &mut Vec<u8>,
    header: &[u8],
    mask: Option<[u8; 4]>,
    payload: &[u8],
    sent: usize,
) {
    out.extend_from_slice(&header[sent.min(header.len())..]);
    let offset = sent.saturating_sub(header.len()).min(payload.len());
    let from = out.len();
    out.extend_from_slice(&payload[offset..]);
    if let Some(key) = mask {
        apply_mask(&mut out[from..], key, offset);
    }
}

/// A fresh masking key (RFC 6455, section 5.3: unpredictable, per frame).
#[inline]
pub(super) fn new_mask() -> [u8; 4] {
    random::next_u64().to_ne_bytes()[..4]
        .try_into()
        .expect("4 bytes")
}

#[cfg(test)]
mod tests;
