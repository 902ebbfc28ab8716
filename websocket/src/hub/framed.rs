//! One published message, framed once per form: the plain frame every
//! uncompressed subscriber shares, and one compressed frame per compression
//! setting among the subscribers. Server frames are unmasked, so the bytes
//! are the same for every socket of a form. Codec only: no I/O.

use std::rc::Rc;

use crate::deflate::PreparedMessage;
use crate::frame::{self, FrameType};
use crate::socket::Socket;

/// A compressed payload and its frame.
type Form = (Rc<[u8]>, Rc<[u8]>);

/// A message on its way to a topic's subscribers, its frames made the
/// first time a subscriber needs them.
pub(super) struct Framed<'a> {
    data: &'a [u8],
    kind: FrameType,
    plain: Option<Rc<[u8]>>,
    /// For compressing subscribers: made at the first one (a copy of
    /// `data`), it keeps each compressed payload.
    prepared: Option<PreparedMessage>,
    /// Compressed payloads (as `prepared` keeps them) and their frames.
    compressed: Vec<Form>,
}

impl<'a> Framed<'a> {
    /// `kind` is `Text` or `Binary`, checked by the caller.
    pub(super) fn new(data: &'a [u8], kind: FrameType) -> Framed<'a> {
        Framed {
            data,
            kind,
            plain: None,
            prepared: None,
            compressed: Vec::new(),
        }
    }

    /// The frame `sock` is sent: shared by every socket of its form. A
    /// compressor that fails (it should not) leaves the message
    /// uncompressed, which is always allowed.
    pub(super) fn for_socket(&mut self, sock: &Socket) -> Rc<[u8]> {
        if let Some(deflater) = sock.deflater() {
            let (data, kind) = (self.data, self.kind);
            let prepared = self.prepared.get_or_insert_with(|| PreparedMessage {
                data: data.to_vec(),
                kind,
                compressed: Default::default(),
            });
            if let Ok(Some(payload)) = deflater.shared_form(prepared) {
                if let Some((_, framed)) = self
                    .compressed
                    .iter()
                    .find(|(p, _)| Rc::ptr_eq(p, &payload))
                {
                    return framed.clone();
                }
                let framed = frame_once(self.kind, true, &payload);
                self.compressed.push((payload, framed.clone()));
                return framed;
            }
        }
        let (kind, data) = (self.kind, self.data);
        self.plain
            .get_or_insert_with(|| frame_once(kind, false, data))
            .clone()
    }
}

/// One unmasked final frame, header and payload in one allocation.
pub(super) fn frame_once(kind: FrameType, compressed: bool, payload: &[u8]) -> Rc<[u8]> {
    let (header, size) =
        frame::encode_header(true, compressed, kind.opcode(), None, payload.len() as u64);
    // A chain of slice iterators has an exact length: `collect` makes the
    // `Rc<[u8]>` in one allocation, without an intermediate `Vec`.
    header[..size].iter().chain(payload).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_headers_then_payload() {
        let f = frame_once(FrameType::Text, false, b"hi");
        assert_eq!(&f[..], &[0x81, 2, b'h', b'i']);
        let big = vec![7u8; 300];
        let f = frame_once(FrameType::Binary, true, &big);
        assert_eq!(&f[..4], &[0xC2, 126, 1, 44]);
        assert_eq!(f.len(), 304);
    }
}
