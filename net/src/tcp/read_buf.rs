//! The read buffer behind `BufRead`, `read_line` and `read_until`.

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
        read: impl FnOnce(&mut [u8]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
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
