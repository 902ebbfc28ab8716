//! Entry points for the fuzz targets in `fuzz/` (compiled only under
//! `cargo fuzz`, which sets `--cfg fuzzing`): the decoders that read bytes
//! from the network, without sockets.

use crate::reply::ReplyBuf;
use crate::value::Value;

/// Largest reply and deepest nesting the reply target decodes with.
const MAX: usize = 1 << 20;
const DEPTH: usize = 64;

/// RESP2 replies: the bytes fed whole and fed in pieces (of a size taken
/// from the first byte) must decode to the same replies, and nothing may
/// panic, overflow the stack or allocate past the limit.
pub fn reply(data: &[u8]) {
    let Some((&step, bytes)) = data.split_first() else {
        return;
    };
    let (whole, whole_failed) = decode(bytes, bytes.len().max(1));
    let (pieces, pieces_failed) = decode(bytes, usize::from(step).max(1));
    // A failure (the size limit is checked between reads) may come at a
    // different point; the replies before it agree.
    let n = whole.len().min(pieces.len());
    assert_eq!(whole[..n], pieces[..n]);
    if !whole_failed && !pieces_failed {
        assert_eq!(whole.len(), pieces.len());
    }
}

/// The replies of `bytes` fed `step` bytes at a time, and whether decoding
/// failed (a protocol error) before the end.
fn decode(bytes: &[u8], step: usize) -> (Vec<Result<Value, String>>, bool) {
    let mut buf = ReplyBuf::new(MAX, DEPTH);
    let mut out = Vec::new();
    for piece in bytes.chunks(step) {
        match buf.space() {
            Ok(space) => space.extend_from_slice(piece),
            Err(_) => return (out, true),
        }
        loop {
            match buf.next() {
                Ok(Some(reply)) => out.push(reply.map_err(|e| e.to_string())),
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

/// The hub backplane's envelope: whatever decodes encodes back to the same
/// bytes.
#[cfg(feature = "hub")]
pub fn envelope(data: &[u8]) {
    crate::hub::fuzz_envelope(data);
}
