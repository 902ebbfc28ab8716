//! A connection with the HTTP layer's input buffer, which holds bytes read past
//! the current message (the next pipelined request, or WebSocket frames after an
//! upgrade) and batches output.
//!
//! Interrupts: a read lands in the input buffer whole or not at all (the
//! connection's `read_into` suspends before it reads), so the decoders above,
//! which keep their state in their objects, lose nothing. A send cut midway
//! cannot be resumed by anyone who knows what the peer already has, so it
//! *tears* the wire: the socket is shut at once (the peer sees the message
//! end early, never another message's bytes spliced into it) and every later
//! call fails with [`torn`]'s error.

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
    /// Set when a send was cut by an interrupt (see the module docs).
    torn: bool,
}

/// The error of every call on a torn wire.
pub(crate) fn torn() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "http: an interrupted write left a partial message; the connection was closed",
    )
}

/// Armed while bytes are being sent: dropped only by an unwind out of the
/// send (an interrupt, a panic), it marks the wire torn and shuts the socket.
struct TearOnUnwind<'a> {
    conn: &'a Conn,
    torn: &'a mut bool,
}

impl TearOnUnwind<'_> {
    fn send(conn: &Conn, torn: &mut bool, bytes: &[u8]) -> io::Result<()> {
        if *torn {
            return Err(self::torn());
        }
        let guard = TearOnUnwind { conn, torn };
        let result = guard.conn.write_all(bytes);
        std::mem::forget(guard);
        result
    }
}

impl Drop for TearOnUnwind<'_> {
    fn drop(&mut self) {
        *self.torn = true;
        // Only the TCP socket, and no close_notify: shutting a TLS stream
        // writes, which may wait, and nothing may wait while unwinding.
        let tcp = match self.conn {
            Conn::Tcp(tcp) => tcp,
            Conn::Tls(tls) => tls.tcp(),
        };
        let _ = tcp.shutdown(std::net::Shutdown::Both);
    }
}

impl Wire {
    pub(crate) fn new(conn: Conn) -> Self {
        Wire {
            conn,
            input: Vec::new(),
            start: 0,
            output: Vec::new(),
            torn: false,
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

    /// Whether a send was cut by an interrupt (the connection is shut).
    pub(crate) fn is_torn(&self) -> bool {
        self.torn
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
        if self.torn {
            return Err(torn());
        }
        if self.output.is_empty() && bytes.len() >= OUTPUT_FLUSH_AT {
            return TearOnUnwind::send(&self.conn, &mut self.torn, bytes);
        }
        self.output.extend_from_slice(bytes);
        if self.output.len() >= OUTPUT_FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Lets `build` append to the queued output in place, then sends it if
    /// much is queued.
    pub(crate) fn append<R>(&mut self, build: impl FnOnce(&mut Vec<u8>) -> R) -> io::Result<R> {
        if self.torn {
            return Err(torn());
        }
        let built = build(&mut self.output);
        if self.output.len() >= OUTPUT_FLUSH_AT {
            self.flush()?;
        }
        Ok(built)
    }

    /// Sends queued output. Fails on a torn wire even with nothing queued:
    /// [`fill`](Self::fill) flushes first, so reads fail there too.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.output.is_empty() && !self.torn {
            return Ok(());
        }
        let result = TearOnUnwind::send(&self.conn, &mut self.torn, &self.output);
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
