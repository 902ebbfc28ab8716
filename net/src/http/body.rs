//! Reading a message body off the wire: Content-Length, chunked (with
//! trailers), or until the connection closes.
//!
//! Interrupt-safe by construction: the decoder's state is in [`Body`], a line
//! of chunk framing is consumed from the wire only once it is whole, and body
//! bytes leave the wire in the same step (no suspension between) as the state
//! that counts them is updated. A read cut while it waits loses nothing.

use std::time::Instant;

use super::error::{Error, Result};
use super::head::BodyKind;
use super::headers::Headers;
use super::wire::Wire;

/// Longest chunk-size line (size, extensions, CRLF) accepted.
const MAX_CHUNK_LINE: usize = 4096;

#[derive(Debug)]
enum State {
    Length(u64),
    /// Expecting a chunk-size line.
    ChunkSize,
    /// Inside a chunk's data.
    ChunkData(u64),
    /// Expecting the CRLF after a chunk's data.
    ChunkEnd,
    Trailers,
    UntilClose,
    Done,
}

/// Where body bytes go: the caller's buffer, or a growing `Vec` (`read_all`,
/// whose bytes so far live in the reader, not in a local an interrupt would
/// drop).
pub(crate) trait Sink {
    /// How many bytes fit.
    fn room(&self) -> usize;
    /// Takes `bytes` (no more than `room`).
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for [u8] {
    fn room(&self) -> usize {
        self.len()
    }

    fn put(&mut self, bytes: &[u8]) {
        self[..bytes.len()].copy_from_slice(bytes);
    }
}

impl Sink for Vec<u8> {
    fn room(&self) -> usize {
        usize::MAX
    }

    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Where a reader's read goes: the caller's buffer, or the reader's own
/// `Vec` of the body read so far (its `read_all`).
pub(crate) enum Dest<'a> {
    Buf(&'a mut [u8]),
    Kept,
}

/// Moves bytes a `read_all` kept (it was interrupted) to `buf`, oldest first.
pub(crate) fn take_kept(kept: &mut Vec<u8>, buf: &mut [u8]) -> usize {
    let n = kept.len().min(buf.len());
    buf[..n].copy_from_slice(&kept[..n]);
    kept.drain(..n);
    n
}

/// A body being read. Limits are enforced on the decoded size.
#[derive(Debug)]
pub(crate) struct Body {
    state: State,
    limit: u64,
    received: u64,
    max_trailer_bytes: usize,
    trailer_bytes: usize,
    pub(crate) trailers: Headers,
}

impl Body {
    pub(crate) fn new(kind: BodyKind, limit: u64, max_trailer_bytes: usize) -> Body {
        let state = match kind {
            BodyKind::Empty => State::Done,
            BodyKind::Length(n) => State::Length(n),
            BodyKind::Chunked => State::ChunkSize,
            BodyKind::UntilClose => State::UntilClose,
        };
        Body {
            state,
            limit,
            received: 0,
            max_trailer_bytes,
            trailer_bytes: 0,
            trailers: Headers::new(),
        }
    }

    /// The most body bytes accepted (the server's `max_body_bytes`).
    #[cfg(feature = "json")]
    pub(crate) fn limit(&self) -> usize {
        usize::try_from(self.limit).unwrap_or(usize::MAX)
    }

    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Reads body bytes into `out`; `Ok(0)` at the end of the body.
    pub(crate) fn read<S: Sink + ?Sized>(
        &mut self,
        wire: &mut Wire,
        out: &mut S,
        deadline: Option<Instant>,
    ) -> Result<usize> {
        if out.room() == 0 {
            return Ok(0);
        }
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Length(0) => self.state = State::Done,
                State::Length(remaining) => {
                    let n = self.take(
                        wire,
                        out,
                        remaining,
                        deadline,
                        "body ended before its Content-Length",
                    )?;
                    self.state = State::Length(remaining - n as u64);
                    return self.count(n);
                }
                State::ChunkData(0) => self.state = State::ChunkEnd,
                State::ChunkData(remaining) => {
                    let n =
                        self.take(wire, out, remaining, deadline, "body ended inside a chunk")?;
                    self.state = State::ChunkData(remaining - n as u64);
                    return self.count(n);
                }
                State::UntilClose => {
                    if wire.available().is_empty() && wire.fill(deadline)? == 0 {
                        self.state = State::Done;
                        return Ok(0);
                    }
                    let n = copy(wire, out, u64::MAX);
                    return self.count(n);
                }
                State::ChunkSize => {
                    let line = self.line(wire, deadline)?;
                    let size = parse_chunk_size(&line)?;
                    self.state = if size == 0 {
                        State::Trailers
                    } else {
                        State::ChunkData(size)
                    };
                }
                State::ChunkEnd => {
                    let line = self.line(wire, deadline)?;
                    if !line.is_empty() {
                        return Err(Error::InvalidBody("chunk data not followed by CRLF"));
                    }
                    self.state = State::ChunkSize;
                }
                State::Trailers => {
                    let line = self.line(wire, deadline)?;
                    if line.is_empty() {
                        self.state = State::Done;
                        continue;
                    }
                    self.trailer_bytes += line.len() + 2;
                    if self.trailer_bytes > self.max_trailer_bytes {
                        return Err(Error::InvalidBody("trailer section too large"));
                    }
                    let text = String::from_utf8_lossy(&line);
                    let (name, value) = text
                        .split_once(':')
                        .ok_or(Error::InvalidBody("malformed trailer field"))?;
                    if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
                        return Err(Error::InvalidBody("malformed trailer field"));
                    }
                    self.trailers.append(name, value.trim());
                }
            }
        }
    }

    fn count(&mut self, n: usize) -> Result<usize> {
        self.received += n as u64;
        if self.received > self.limit {
            return Err(Error::BodyTooLarge);
        }
        Ok(n)
    }

    /// Copies up to `remaining` available bytes, reading more first if none are.
    fn take<S: Sink + ?Sized>(
        &mut self,
        wire: &mut Wire,
        out: &mut S,
        remaining: u64,
        deadline: Option<Instant>,
        early_end: &'static str,
    ) -> Result<usize> {
        if wire.available().is_empty() && wire.fill(deadline)? == 0 {
            return Err(Error::InvalidBody(early_end));
        }
        Ok(copy(wire, out, remaining))
    }

    /// One CRLF-terminated line, without the CRLF.
    fn line(&mut self, wire: &mut Wire, deadline: Option<Instant>) -> Result<Vec<u8>> {
        loop {
            let available = wire.available();
            if let Some(i) = available.iter().position(|&b| b == b'\n') {
                if i == 0 || available[i - 1] != b'\r' {
                    return Err(Error::InvalidBody("line not ended by CRLF"));
                }
                let line = available[..i - 1].to_vec();
                wire.consume(i + 1);
                return Ok(line);
            }
            if available.len() > MAX_CHUNK_LINE {
                return Err(Error::InvalidBody("chunk line too long"));
            }
            if wire.fill(deadline)? == 0 {
                return Err(Error::InvalidBody("body ended inside chunk framing"));
            }
        }
    }
}

fn copy<S: Sink + ?Sized>(wire: &mut Wire, out: &mut S, remaining: u64) -> usize {
    let available = wire.available();
    let n = available
        .len()
        .min(out.room())
        .min(usize::try_from(remaining).unwrap_or(usize::MAX));
    out.put(&available[..n]);
    wire.consume(n);
    n
}

/// `chunk-size [ chunk-ext ]` (RFC 9112, section 7.1): hex digits, then
/// optional `;ext` parameters, which are ignored.
pub(crate) fn parse_chunk_size(line: &[u8]) -> Result<u64> {
    let digits_end = line
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .unwrap_or(line.len());
    let (digits, rest) = line.split_at(digits_end);
    if digits.is_empty() || digits.len() > 15 {
        return Err(Error::InvalidBody("invalid chunk size"));
    }
    let rest_ok =
        rest.is_empty() || rest.iter().find(|b| **b != b' ' && **b != b'\t') == Some(&b';');
    if !rest_ok {
        return Err(Error::InvalidBody("invalid chunk size"));
    }
    let text = std::str::from_utf8(digits).map_err(|_| Error::InvalidBody("invalid chunk size"))?;
    u64::from_str_radix(text, 16).map_err(|_| Error::InvalidBody("invalid chunk size"))
}

#[cfg(test)]
mod tests {
    use super::parse_chunk_size;

    #[test]
    fn chunk_sizes() {
        assert_eq!(parse_chunk_size(b"1a").unwrap(), 26);
        assert_eq!(parse_chunk_size(b"FF;name=value").unwrap(), 255);
        assert_eq!(parse_chunk_size(b"0").unwrap(), 0);
        assert_eq!(parse_chunk_size(b"10 ;x").unwrap(), 16);
        for bad in [
            &b""[..],
            b"x",
            b"-1",
            b"1 2",
            b"0x10",
            b"1000000000000000",
            b" 5",
        ] {
            assert!(
                parse_chunk_size(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
