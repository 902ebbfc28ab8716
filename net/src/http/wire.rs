//! A connection with the HTTP layer's input buffer, which holds bytes read past
//! the current message (the next pipelined request, or WebSocket frames after an
//! upgrade) and batches output.

use std::io;
use std::time::Instant;

use crate::conn::Conn;

/// An input buffer up to this size is kept between requests.
const KEEP_INPUT: usize = 4 * 1024;

/// Output is sent once this much is buffered (or the exchange waits for input).
pub(crate) const OUTPUT_FLUSH_AT: usize = 16 * 1024;

pub(crate) struct Wire {
    pub(crate) conn: Conn,
    /// Received bytes are `input[start..]`.
    input: Vec<u8>,
    start: usize,
    output: Vec<u8>,
}

impl Wire {
    pub(crate) fn new(conn: Conn) -> Self {
        Wire {
            conn,
            input: Vec::new(),
            start: 0,
            output: Vec::new(),
        }
    }

    /// Input received and not consumed yet.
    pub(crate) fn available(&self) -> &[u8] {
        &self.input[self.start..]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.input.len());
        if self.start == self.input.len() {
            self.start = 0;
            // A small buffer stays for the next request; a large one (a big
            // head or body went through) is given back.
            if self.input.capacity() > KEEP_INPUT {
                self.input = Vec::new();
            } else {
                self.input.clear();
            }
        }
    }

    /// Whether the connection can carry a new request: open, with no input
    /// or output left over from the last exchange. Never suspends.
    pub(crate) fn is_idle_open(&self) -> bool {
        self.available().is_empty() && self.output.is_empty() && self.conn.is_idle_open()
    }

    /// Reads more input (suspending until some arrives, EOF, or `deadline`);
    /// returns the bytes added, 0 at EOF. Pending output is sent first: the peer
    /// may be waiting for it before it sends more.
    pub(crate) fn fill(&mut self, deadline: Option<Instant>) -> io::Result<usize> {
        self.flush()?;
        if self.start > 0 {
            self.input.drain(..self.start);
            self.start = 0;
        }
        self.conn.read_into(deadline, &mut self.input)
    }

    /// Queues `bytes` for sending, sending at once when much is queued.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.output.is_empty() && bytes.len() >= OUTPUT_FLUSH_AT {
            return self.conn.write_all(bytes);
        }
        self.output.extend_from_slice(bytes);
        if self.output.len() >= OUTPUT_FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Lets `build` append to the queued output in place, then sends it if
    /// much is queued.
    pub(crate) fn append(&mut self, build: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        build(&mut self.output);
        if self.output.len() >= OUTPUT_FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends queued output.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.output.is_empty() {
            return Ok(());
        }
        let result = self.conn.write_all(&self.output);
        self.output.clear();
        if self.output.capacity() > 4 * OUTPUT_FLUSH_AT {
            self.output.shrink_to(OUTPUT_FLUSH_AT);
        }
        result
    }

    /// The connection and the input read past the current message.
    pub(crate) fn into_parts(self) -> (Conn, Vec<u8>) {
        let rest = self.input[self.start..].to_vec();
        (self.conn, rest)
    }
}
