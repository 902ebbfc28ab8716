//! The buffered reads of the streams, written once for TCP and TLS: `read`,
//! `read_exact`, `read_until`, `read_line` and `BufRead::fill_buf` over a
//! transport's [`Fill`].
//!
//! This is where the crate's [read-timeout rule](crate#read-timeouts) is kept:
//! every public call turns the stream's read timeout into one deadline when it
//! starts, and every fill it makes, however many, gets that same deadline.
//!
//! And the [interrupt rule](crate#interrupts) for reads: a call that makes
//! several fills keeps its progress where an interrupt cannot lose it. A fill
//! suspends, and an interrupt unwinds the call from there; the bytes the call
//! had already taken from the transport then go back to the front of the
//! buffer (from a drop guard), so the next read returns them.

use std::cell::{Cell, RefCell};
use std::io;
use std::time::{Duration, Instant};

use silly_runtime::time::deadline;

/// Bytes of the buffer, allocated on first buffered read: a stream only read with
/// `read` into the caller's buffer never allocates one.
pub(crate) const READ_BUF_SIZE: usize = 8 * 1024;

/// A transport's one read primitive, under the buffer.
pub(crate) trait Fill {
    /// Reads into `buf` (not empty), suspending until at least one byte, EOF
    /// (`Ok(0)`) or `deadline` (`TimedOut`).
    fn fill(&self, buf: &mut [u8], deadline: Option<Instant>) -> io::Result<usize>;
}

/// The bytes read ahead of the caller.
#[derive(Default)]
struct ReadBuf {
    storage: Box<[u8]>,
    start: usize,
    end: usize,
}

impl ReadBuf {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn filled(&self) -> &[u8] {
        &self.storage[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Copies buffered bytes into `out`; returns how many.
    fn copy_to(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.storage[self.start..self.start + n]);
        self.consume(n);
        n
    }

    /// Refills an empty buffer with `read`; returns the bytes read (0 at EOF).
    fn refill(&mut self, read: impl FnOnce(&mut [u8]) -> io::Result<usize>) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        // Also shrinks a buffer that `unread` grew, once its bytes are read.
        if self.storage.len() != READ_BUF_SIZE {
            self.storage = vec![0; READ_BUF_SIZE].into_boxed_slice();
        }
        self.start = 0;
        self.end = 0;
        let n = read(&mut self.storage)?;
        self.end = n;
        Ok(n)
    }

    /// Puts `bytes` back in front of the buffered ones: the next read returns
    /// them first. Grows the storage if they do not fit (only after an
    /// interrupted or failed call, never on the way of a read that succeeds).
    fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if bytes.len() <= self.start {
            self.start -= bytes.len();
            self.storage[self.start..self.start + bytes.len()].copy_from_slice(bytes);
            return;
        }
        let mut storage =
            Vec::with_capacity((bytes.len() + self.filled().len()).max(READ_BUF_SIZE));
        storage.extend_from_slice(bytes);
        storage.extend_from_slice(self.filled());
        self.end = storage.len();
        self.start = 0;
        storage.resize(storage.capacity().max(READ_BUF_SIZE), 0);
        self.storage = storage.into_boxed_slice();
    }
}

/// Gives the bytes a read call took back to the stream's buffer if the call
/// ends without returning them: on an error, or when an interrupt unwinds it.
/// A call that succeeds disarms it (`taken = 0`): no cost but a branch.
struct Unread<'a, B: AsRef<[u8]> + ?Sized> {
    reader: &'a BufReader,
    /// Where the call puts what it reads; its first `taken` bytes are the
    /// ones at stake.
    out: &'a mut B,
    taken: usize,
}

impl<B: AsRef<[u8]> + ?Sized> Drop for Unread<'_, B> {
    fn drop(&mut self) {
        if self.taken > 0 {
            let bytes = &self.out.as_ref()[..self.taken];
            self.reader.buffer.borrow_mut().unread(bytes);
        }
    }
}

/// Like [`Unread`] for a call that appends to a `Vec` from `start` on: the
/// appended bytes go back to the stream and `out` is cut back to `start`.
/// Armed only against an unwind: on an error return the bytes stay in `out`,
/// as `std::io::BufRead::read_until` promises.
struct UnreadAppended<'a> {
    reader: &'a BufReader,
    out: &'a mut Vec<u8>,
    start: usize,
    armed: bool,
}

impl Drop for UnreadAppended<'_> {
    fn drop(&mut self) {
        if self.armed && self.out.len() > self.start {
            self.reader
                .buffer
                .borrow_mut()
                .unread(&self.out[self.start..]);
            self.out.truncate(self.start);
        }
    }
}

/// Puts a buffer taken out of its cell back, also when an interrupt unwinds
/// the fill that took it: its storage and any bytes in it stay with the stream.
struct PutBack<'a> {
    cell: &'a RefCell<ReadBuf>,
    buffer: ReadBuf,
}

impl Drop for PutBack<'_> {
    fn drop(&mut self) {
        *self.cell.borrow_mut() = std::mem::take(&mut self.buffer);
    }
}

/// A stream's read buffer and read timeout. Methods take `&self` and the
/// transport as a [`Fill`]. A fill may suspend the coroutine: the buffer is taken
/// out of its cell meanwhile, so no `RefCell` borrow is held across a switch.
#[derive(Default)]
pub(crate) struct BufReader {
    buffer: RefCell<ReadBuf>,
    timeout: Cell<Option<Duration>>,
}

impl BufReader {
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout.get()
    }

    pub(crate) fn set_timeout(&self, timeout: Option<Duration>) {
        self.timeout.set(timeout);
    }

    /// The deadline of a call starting now.
    fn deadline(&self) -> Option<Instant> {
        deadline(self.timeout.get())
    }

    /// Whether bytes are buffered (a read would not touch the transport).
    pub(crate) fn has_buffered(&self) -> bool {
        !self.buffer.borrow().is_empty()
    }

    /// `read`: buffered bytes first, else one fill straight into `out` (no copy
    /// through the buffer).
    pub(crate) fn read(&self, src: &impl Fill, out: &mut [u8]) -> io::Result<usize> {
        self.read_before(src, out, self.deadline())
    }

    /// [`read`](Self::read) with an explicit deadline.
    pub(crate) fn read_before(
        &self,
        src: &impl Fill,
        out: &mut [u8],
        deadline: Option<Instant>,
    ) -> io::Result<usize> {
        self.read_through(out, |b| src.fill(b, deadline))
    }

    /// Buffered bytes first, else `read` straight into `out`: also the shape of
    /// a transport's non-suspending `try_read`.
    pub(crate) fn read_through(
        &self,
        out: &mut [u8],
        read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        {
            let mut buffer = self.buffer.borrow_mut();
            if !buffer.is_empty() {
                return Ok(buffer.copy_to(out));
            }
        }
        read(out)
    }

    /// `read_exact`: `UnexpectedEof` if the stream ends first. Unlike `std`,
    /// the bytes read before an error or an interrupt are not lost: they go
    /// back to the buffer, and the next read returns them.
    pub(crate) fn read_exact(&self, src: &impl Fill, out: &mut [u8]) -> io::Result<()> {
        let deadline = self.deadline();
        let len = out.len();
        let mut read = Unread {
            reader: self,
            out,
            taken: 0,
        };
        while read.taken < len {
            match self.read_before(src, &mut read.out[read.taken..], deadline)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => read.taken += n,
            }
        }
        read.taken = 0;
        Ok(())
    }

    /// `BufRead::read_until` on `&self`: through `delim` (included) or EOF. On an
    /// error the bytes read so far stay in `out`; on an interrupt they go back
    /// to the buffer and `out` is as it was (it may not outlive the unwind).
    pub(crate) fn read_until(
        &self,
        src: &impl Fill,
        delim: u8,
        out: &mut Vec<u8>,
    ) -> io::Result<usize> {
        let deadline = self.deadline();
        let start = out.len();
        let mut line = UnreadAppended {
            reader: self,
            out,
            start,
            armed: true,
        };
        let result = self.with_buffer(|buffer| loop {
            if buffer.is_empty() && buffer.refill(|b| src.fill(b, deadline))? == 0 {
                return Ok(line.out.len() - start);
            }
            let filled = buffer.filled();
            match filled.iter().position(|&b| b == delim) {
                Some(i) => {
                    line.out.extend_from_slice(&filled[..=i]);
                    buffer.consume(i + 1);
                    return Ok(line.out.len() - start);
                }
                None => {
                    line.out.extend_from_slice(filled);
                    let n = filled.len();
                    buffer.consume(n);
                }
            }
        });
        line.armed = false;
        result
    }

    /// `read_line` on top of [`read_until`](Self::read_until): `InvalidData` if
    /// the line is not UTF-8 (`out` unchanged). On an I/O error (a timeout), the
    /// part of the line read so far is kept in `out`, as `std` does, so a retry
    /// continues the line; on an interrupt it goes back to the buffer.
    pub(crate) fn read_line(&self, src: &impl Fill, out: &mut String) -> io::Result<usize> {
        let mut bytes = Vec::new();
        let result = self.read_until(src, b'\n', &mut bytes);
        match String::from_utf8(bytes) {
            Ok(text) => out.push_str(&text),
            Err(_) if result.is_ok() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "line is not valid UTF-8",
                ))
            }
            Err(partial) => {
                // A code point cut by the error: keep the valid prefix in
                // `out` and give the rest back, so a retry completes it.
                let bytes = partial.as_bytes();
                let valid = partial.utf8_error().valid_up_to();
                out.push_str(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
                self.buffer.borrow_mut().unread(&bytes[valid..]);
            }
        }
        result
    }

    /// The first half of `BufRead::fill_buf`: refills an empty buffer from `src`
    /// (one fill, under one deadline). The caller then takes
    /// [`buffered`](Self::buffered); the two halves let `src` own this reader.
    pub(crate) fn fill(&self, src: &impl Fill) -> io::Result<()> {
        if self.has_buffered() {
            return Ok(());
        }
        let deadline = self.deadline();
        self.with_buffer(|buffer| buffer.refill(|b| src.fill(b, deadline)).map(drop))
    }

    /// The bytes buffered, for `BufRead::fill_buf`.
    pub(crate) fn buffered(&mut self) -> &[u8] {
        self.buffer.get_mut().filled()
    }

    /// `BufRead::consume`.
    pub(crate) fn consume(&mut self, n: usize) {
        self.buffer.get_mut().consume(n);
    }

    /// Hands buffered bytes to `consume`, first filling the buffer from `src`
    /// (suspending until data, EOF or `deadline`) if it is empty; at EOF
    /// `consume` gets an empty slice. `consume` returns how many bytes it used
    /// and must not suspend.
    pub(crate) fn consume_buffered<R>(
        &self,
        src: &impl Fill,
        deadline: Option<Instant>,
        consume: impl FnOnce(&[u8]) -> (usize, R),
    ) -> io::Result<R> {
        self.with_buffer(|buffer| {
            if buffer.is_empty() {
                buffer.refill(|b| src.fill(b, deadline))?;
            }
            let (used, value) = consume(buffer.filled());
            buffer.consume(used);
            Ok(value)
        })
    }

    /// Runs `f` on the buffer taken out of its cell, so that `f` may suspend;
    /// the buffer goes back even if `f` is unwound.
    fn with_buffer<R>(&self, f: impl FnOnce(&mut ReadBuf) -> R) -> R {
        let mut taken = PutBack {
            buffer: std::mem::take(&mut *self.buffer.borrow_mut()),
            cell: &self.buffer,
        };
        f(&mut taken.buffer)
    }
}

#[cfg(test)]
mod tests;
