//! Replies cut from the bytes received: a buffer and the RESP2 decoder, no I/O.

use redis_protocol::resp2::decode::decode;
use redis_protocol::resp2::types::OwnedFrame;

use crate::error::{Error, Result, ServerError};
use crate::value::Value;

/// Bytes received and not yet decoded, and where the next reply starts.
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
}

impl ReplyBuf {
    pub(crate) fn new(max: usize) -> ReplyBuf {
        ReplyBuf {
            buf: Vec::new(),
            pos: 0,
            max,
        }
    }

    /// The next whole reply, `Ok(None)` if more bytes are needed. An error
    /// reply at the top level is `Ok(Some(Err(..)))`: the stream is fine.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] for bytes that are not RESP2.
    pub(crate) fn next(&mut self) -> Result<Option<Result<Value>>> {
        if self.pos == self.buf.len() {
            return Ok(None);
        }
        match decode(&self.buf[self.pos..]) {
            Ok(Some((frame, used))) => {
                self.pos += used;
                if self.pos == self.buf.len() {
                    self.buf.clear();
                    self.pos = 0;
                }
                Ok(Some(match frame {
                    OwnedFrame::Error(text) => Err(Error::Server(ServerError::new(text))),
                    other => Ok(value_of(other)),
                }))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(Error::Protocol(e.to_string())),
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
        if self.buf.len() > self.max {
            return Err(Error::Protocol(format!(
                "reply larger than the limit of {} bytes",
                self.max
            )));
        }
        Ok(&mut self.buf)
    }
}

fn value_of(frame: OwnedFrame) -> Value {
    match frame {
        OwnedFrame::SimpleString(bytes) => Value::Status(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }),
        OwnedFrame::Error(text) => Value::Error(ServerError::new(text)),
        OwnedFrame::Integer(n) => Value::Int(n),
        OwnedFrame::BulkString(bytes) => Value::Data(bytes),
        OwnedFrame::Array(items) => Value::Array(items.into_iter().map(value_of).collect()),
        OwnedFrame::Null => Value::Nil,
    }
}

#[cfg(test)]
mod tests;
