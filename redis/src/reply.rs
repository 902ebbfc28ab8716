//! Replies cut from the bytes received: a buffer and a RESP2 decoder, no I/O.
//!
//! The decoder is iterative and resumable: an array's elements are decoded
//! into a stack of open arrays kept here, so a reply nested deep costs heap,
//! not coroutine stack, and bytes already decoded are never parsed again
//! when the rest of a large reply arrives in many reads. Nesting past the
//! configured depth, and lengths past the reply size limit, are refused
//! before anything is allocated for them.

use crate::error::{Error, ProtocolError, Result, ServerError};
use crate::value::Value;

/// Elements reserved up front for an array, whatever it announces: the
/// rest grows as elements arrive, so a lying count allocates nothing.
const MAX_RESERVE: usize = 1024;

/// Bytes of a line that is not an integer kept in its error.
const NOT_AN_INTEGER_SHOWN: usize = 64;

/// Bytes received and not yet decoded, and the reply in progress.
///
/// Replies are decoded one at a time and the bytes of those decoded are
/// dropped before more are read, so a long pipeline holds at most one reply
/// (plus one read) in memory, not all of them.
#[derive(Debug)]
pub(crate) struct ReplyBuf {
    buf: Vec<u8>,
    /// Start of the first byte not decoded yet.
    pos: usize,
    /// Largest reply accepted, in encoded bytes.
    max: usize,
    /// Most arrays open inside one another.
    max_depth: usize,
    /// The arrays of the reply in progress that still miss elements,
    /// outermost first, with how many each still misses.
    open: Vec<(Vec<Value>, usize)>,
    /// Encoded bytes of the reply in progress already decoded into `open`.
    taken: usize,
    /// Where the search for the end of the current line resumes (an offset
    /// from `pos`), so a long line arriving in pieces is scanned once.
    searched: usize,
}

/// One element read at `pos`.
enum Item {
    /// A whole value (scalars, nil, an empty array).
    Value(Value),
    /// The header of an array of this many elements (at least one).
    Array(usize),
}

impl ReplyBuf {
    pub(crate) fn new(max: usize, max_depth: usize) -> ReplyBuf {
        ReplyBuf {
            buf: Vec::new(),
            pos: 0,
            max,
            max_depth,
            open: Vec::new(),
            taken: 0,
            searched: 0,
        }
    }

    /// The next whole reply, `Ok(None)` if more bytes are needed. An error
    /// reply at the top level is `Ok(Some(Err(..)))`: the stream is fine.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] for bytes that are not RESP2, a reply nested
    /// deeper than the limit, or one announcing a length past the size
    /// limit. The stream cannot be followed after one.
    pub(crate) fn next(&mut self) -> Result<Option<Result<Value>>> {
        loop {
            let Some(item) = self.item()? else {
                return Ok(None);
            };
            let mut value = match item {
                Item::Array(len) => {
                    if self.open.len() >= self.max_depth {
                        return Err(Error::Protocol(ProtocolError::TooDeep {
                            max_depth: self.max_depth,
                        }));
                    }
                    self.open
                        .push((Vec::with_capacity(len.min(MAX_RESERVE)), len));
                    continue;
                }
                Item::Value(value) => value,
            };
            // A value completes the arrays it was the last element of.
            loop {
                let Some((items, missing)) = self.open.last_mut() else {
                    self.taken = 0;
                    if self.pos == self.buf.len() {
                        self.buf.clear();
                        self.pos = 0;
                    }
                    return Ok(Some(match value {
                        Value::Error(e) => Err(Error::Server(e)),
                        other => Ok(other),
                    }));
                };
                items.push(value);
                *missing -= 1;
                if *missing > 0 {
                    break;
                }
                let (items, _) = self.open.pop().expect("the array just filled");
                value = Value::Array(items);
            }
        }
    }

    /// Reads one element at `pos` and moves past it; `Ok(None)` (nothing
    /// consumed) if its bytes are not all here yet.
    fn item(&mut self) -> Result<Option<Item>> {
        let Some(line_end) = self.line_end() else {
            return Ok(None);
        };
        let start = self.pos;
        let line = &self.buf[start + 1..line_end];
        let after_line = line_end + 2;
        let (item, end) = match self.buf[start] {
            b'+' => (Item::Value(Value::Status(text(line))), after_line),
            b'-' => (
                Item::Value(Value::Error(ServerError::new(text(line)))),
                after_line,
            ),
            b':' => (Item::Value(Value::Int(number(line)?)), after_line),
            b'$' => match self.length(line)? {
                None => (Item::Value(Value::Nil), after_line),
                Some(len) => {
                    let end = after_line.saturating_add(len).saturating_add(2);
                    if self.buf.len() < end {
                        return Ok(None);
                    }
                    if &self.buf[end - 2..end] != b"\r\n" {
                        return Err(ProtocolError::MissingCrlf.into());
                    }
                    let data = self.buf[after_line..end - 2].to_vec();
                    (Item::Value(Value::Data(data)), end)
                }
            },
            b'*' => match self.length(line)? {
                None => (Item::Value(Value::Nil), after_line),
                Some(0) => (Item::Value(Value::Array(Vec::new())), after_line),
                Some(len) => (Item::Array(len), after_line),
            },
            other => return Err(ProtocolError::UnknownType(other).into()),
        };
        self.taken += end - start;
        self.pos = end;
        self.searched = 0;
        Ok(Some(item))
    }

    /// Where the line starting at `pos` ends (the index of its `\r\n`).
    fn line_end(&mut self) -> Option<usize> {
        let from = self.pos + self.searched.max(1);
        let rest = self.buf.get(from..).unwrap_or_default();
        match rest.windows(2).position(|w| w == b"\r\n") {
            Some(i) => Some(from + i),
            None => {
                // The `\r` of a `\r\n` cut in two is looked at again.
                self.searched = (self.buf.len() - self.pos).saturating_sub(1).max(1);
                None
            }
        }
    }

    /// The length a `$` or `*` line announces: `None` for -1 (nil).
    fn length(&self, line: &[u8]) -> Result<Option<usize>> {
        match number(line)? {
            -1 => Ok(None),
            n if n < 0 => Err(ProtocolError::NegativeLength(n).into()),
            n => match usize::try_from(n) {
                Ok(len) if len <= self.max => Ok(Some(len)),
                _ => Err(ProtocolError::LengthPastLimit {
                    len: n,
                    max_bytes: self.max,
                }
                .into()),
            },
        }
    }

    /// Where the next read appends its bytes: the decoded bytes are dropped
    /// first, so the buffer holds only the reply in progress.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] once the reply in progress exceeds the limit.
    pub(crate) fn space(&mut self) -> Result<&mut Vec<u8>> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.taken + self.buf.len() > self.max {
            return Err(ProtocolError::TooLarge {
                max_bytes: self.max,
            }
            .into());
        }
        Ok(&mut self.buf)
    }
}

/// A status or error line as text (Redis sends ASCII; anything else is
/// kept, lossily).
fn text(line: &[u8]) -> String {
    String::from_utf8_lossy(line).into_owned()
}

/// A decimal integer line: an optional `-`, then digits only.
fn number(line: &[u8]) -> Result<i64, ProtocolError> {
    let digits = line.strip_prefix(b"-").unwrap_or(line);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // Enough to recognise; the line may be as long as the reply limit.
        let shown = &line[..line.len().min(NOT_AN_INTEGER_SHOWN)];
        return Err(ProtocolError::NotAnInteger(shown.to_vec()));
    }
    // ASCII digits and a sign: UTF-8, and past i64 only by their count.
    String::from_utf8_lossy(line)
        .parse()
        .map_err(ProtocolError::IntegerOutOfRange)
}

#[cfg(test)]
mod tests;
