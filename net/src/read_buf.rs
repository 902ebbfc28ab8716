//! The read buffer behind `BufRead`, `read_line` and `read_until` of the
//! streams (TCP and TLS).

use std::cell::RefCell;
use std::io;

/// Bytes of the buffer, allocated on first buffered read: a stream only read with
/// `read` into the caller's buffer never allocates one.
pub(crate) const READ_BUF_SIZE: usize = 8 * 1024;

#[derive(Default)]
pub(crate) struct ReadBuf {
    storage: Box<[u8]>,
    start: usize,
    end: usize,
}

impl ReadBuf {
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn filled(&self) -> &[u8] {
        &self.storage[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Copies buffered bytes into `out`; returns how many.
    pub(crate) fn copy_to(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.storage[self.start..self.start + n]);
        self.consume(n);
        n
    }

    /// Refills an empty buffer with `read`; returns the bytes read (0 at EOF).
    pub(crate) fn refill(
        &mut self,
        read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        if self.storage.is_empty() {
            self.storage = vec![0; READ_BUF_SIZE].into_boxed_slice();
        }
        self.start = 0;
        self.end = 0;
        let n = read(&mut self.storage)?;
        self.end = n;
        Ok(n)
    }
}

/// `read` for a stream with a buffer: buffered bytes first, else `fill` straight
/// into `out` (no copy through the buffer).
pub(crate) fn read_through(
    cell: &RefCell<ReadBuf>,
    out: &mut [u8],
    fill: impl FnOnce(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    if out.is_empty() {
        return Ok(0);
    }
    {
        let mut buffer = cell.borrow_mut();
        if !buffer.is_empty() {
            return Ok(buffer.copy_to(out));
        }
    }
    fill(out)
}

/// `BufRead::read_until` on `&self`: reads through the buffer with `fill` until
/// `delim` (included) or EOF. The buffer is taken out of its cell while `fill`
/// may suspend, so no `RefCell` borrow is held across a switch.
pub(crate) fn read_until(
    cell: &RefCell<ReadBuf>,
    delim: u8,
    out: &mut Vec<u8>,
    mut fill: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    let mut buffer = std::mem::take(&mut *cell.borrow_mut());
    let start = out.len();
    let result = loop {
        if buffer.is_empty() {
            match buffer.refill(&mut fill) {
                Ok(0) => break Ok(out.len() - start),
                Ok(_) => {}
                Err(err) => break Err(err),
            }
        }
        let filled = buffer.filled();
        match filled.iter().position(|&b| b == delim) {
            Some(i) => {
                out.extend_from_slice(&filled[..=i]);
                buffer.consume(i + 1);
                break Ok(out.len() - start);
            }
            None => {
                out.extend_from_slice(filled);
                let n = filled.len();
                buffer.consume(n);
            }
        }
    };
    *cell.borrow_mut() = buffer;
    result
}

/// `read_line` on top of [`read_until`]: `InvalidData` if the line is not UTF-8
/// (`out` unchanged). On an I/O error (a timeout), the part of the line read so
/// far is kept in `out`, as `std` does, so a retry continues the line.
pub(crate) fn read_line(
    cell: &RefCell<ReadBuf>,
    out: &mut String,
    fill: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    let mut bytes = Vec::new();
    let result = read_until(cell, b'\n', &mut bytes, fill);
    match String::from_utf8(bytes) {
        Ok(text) => out.push_str(&text),
        Err(_) if result.is_ok() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "line is not valid UTF-8",
            ))
        }
        Err(partial) => {
            // A code point cut by the error: keep the valid prefix.
            let valid = partial.utf8_error().valid_up_to();
            out.push_str(std::str::from_utf8(&partial.as_bytes()[..valid]).unwrap_or_default());
        }
    }
    result
}
