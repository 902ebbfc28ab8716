//! A message prepared once for many sockets: compressed once, not once per
//! receiver (gorilla's `PreparedMessage`, uWebSockets' `publishPrepared`).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::frame::FrameType;

/// A compressed form of a prepared message: window bits, level, bytes.
type Form = (u8, u32, Rc<[u8]>);

/// A text or binary message to send to many sockets with
/// [`Socket::write_prepared`](crate::Socket::write_prepared).
///
/// Sockets that compress without context takeover (the
/// [`Shared`](crate::ContextMode::Shared) mode, or a peer that asked for
/// it) all send the same compressed bytes: the message is compressed at the
/// first such socket, once per window size and level, and the result kept
/// here. Other sockets send it as they would any message.
///
/// ```no_run
/// use silly_websocket::{FrameType, PreparedMessage, Socket};
///
/// fn broadcast(sockets: &[Socket], text: &str) {
///     let message = PreparedMessage::new(text.as_bytes().to_vec(), FrameType::Text).unwrap();
///     for sock in sockets {
///         let _ = sock.write_prepared(&message);
///     }
/// }
/// ```
pub struct PreparedMessage {
    pub(crate) data: Vec<u8>,
    pub(crate) kind: FrameType,
    /// Compressed forms made so far.
    pub(crate) compressed: RefCell<Vec<Form>>,
}

impl PreparedMessage {
    /// Prepares `data` as a `Text` or `Binary` message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFrameType`] for another frame type;
    /// [`Error::InvalidUtf8`] for text that is not UTF-8.
    pub fn new(data: Vec<u8>, kind: FrameType) -> Result<PreparedMessage> {
        match kind {
            FrameType::Text if std::str::from_utf8(&data).is_err() => Err(Error::InvalidUtf8),
            FrameType::Text | FrameType::Binary => Ok(PreparedMessage {
                data,
                kind,
                compressed: RefCell::new(Vec::new()),
            }),
            _ => Err(Error::InvalidFrameType),
        }
    }

    /// The message's bytes, uncompressed.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The compressed form for (`window_bits`, `level`), made by `make` the
    /// first time.
    pub(crate) fn compressed(
        &self,
        window_bits: u8,
        level: u32,
        make: impl FnOnce(&[u8]) -> std::io::Result<Vec<u8>>,
    ) -> std::io::Result<Rc<[u8]>> {
        let found = self
            .compressed
            .borrow()
            .iter()
            .find(|(b, l, _)| (*b, *l) == (window_bits, level))
            .map(|(_, _, bytes)| bytes.clone());
        if let Some(bytes) = found {
            return Ok(bytes);
        }
        let bytes: Rc<[u8]> = make(&self.data)?.into();
        self.compressed
            .borrow_mut()
            .push((window_bits, level, bytes.clone()));
        Ok(bytes)
    }

    /// How many compressed forms have been made (for tests).
    #[cfg(test)]
    pub(crate) fn forms(&self) -> usize {
        self.compressed.borrow().len()
    }
}

impl fmt::Debug for PreparedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedMessage")
            .field("kind", &self.kind)
            .field("len", &self.data.len())
            .field("compressed_forms", &self.compressed.borrow().len())
            .finish()
    }
}
