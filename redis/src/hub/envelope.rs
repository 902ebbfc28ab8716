//! The envelope of a hub message on a Redis channel: who published it and
//! whether it is text or binary. A codec only: no I/O.
//!
//! ```text
//! byte 0      version, 1
//! byte 1      kind: 1 text (UTF-8), 2 binary
//! bytes 2-9   the publishing node's id, u64 big-endian
//! bytes 10-   the message, byte for byte as published
//! ```
//!
//! The topic is not in it: it is the channel's name after the prefix.

use silly_websocket::FrameType;

/// The envelope format this crate writes and reads.
pub(crate) const VERSION: u8 = 1;
/// Bytes before the message.
pub(crate) const HEADER_LEN: usize = 10;
const TEXT: u8 = 1;
const BINARY: u8 = 2;

/// A message read from a channel, borrowing the payload it came in.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    /// The node that published it.
    pub(crate) node: u64,
    /// `Text` or `Binary`.
    pub(crate) kind: FrameType,
    pub(crate) data: &'a [u8],
}

/// Appends the envelope of `data` to `out`. `kind` other than `Text` is
/// written as binary (the hub hands backplanes only those two).
pub(crate) fn encode(node: u64, kind: FrameType, data: &[u8], out: &mut Vec<u8>) {
    out.reserve(HEADER_LEN + data.len());
    out.push(VERSION);
    out.push(if kind == FrameType::Text {
        TEXT
    } else {
        BINARY
    });
    out.extend_from_slice(&node.to_be_bytes());
    out.extend_from_slice(data);
}

/// Reads an envelope; `None` for anything else (too short, another
/// version, an unknown kind): a foreign publisher on the channel is
/// ignored, never trusted. Text is not checked here: `Hub::deliver` does.
pub(crate) fn decode(payload: &[u8]) -> Option<Envelope<'_>> {
    if payload.len() < HEADER_LEN || payload[0] != VERSION {
        return None;
    }
    let kind = match payload[1] {
        TEXT => FrameType::Text,
        BINARY => FrameType::Binary,
        _ => return None,
    };
    let node = u64::from_be_bytes(payload[2..HEADER_LEN].try_into().ok()?);
    Some(Envelope {
        node,
        kind,
        data: &payload[HEADER_LEN..],
    })
}

/// For the fuzz target: whatever decodes encodes back to the same bytes.
#[cfg(fuzzing)]
pub(crate) fn round_trip(payload: &[u8]) {
    if let Some(envelope) = decode(payload) {
        let mut again = Vec::new();
        encode(envelope.node, envelope.kind, envelope.data, &mut again);
        assert_eq!(again, payload);
    }
}

#[cfg(test)]
mod tests;
