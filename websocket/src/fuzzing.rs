//! Entry points for the fuzz targets in `fuzz/` (compiled only under
//! `cargo fuzz`): the WebSocket codec without sockets.

use crate::close::parse_close;
use crate::frame::{encode_header, parse_header};
use crate::utf8::{is_valid_prefix, Utf8Validator};

/// Frame headers: whatever parses re-encodes to the same header.
pub fn frame_header(data: &[u8]) {
    if let Some(h) = parse_header(data) {
        assert!(h.size <= data.len());
        if h.rsv & 0b011 == 0 && h.len >> 63 == 0 {
            let (bytes, size) = encode_header(h.fin, h.rsv & 0b100 != 0, h.opcode, h.mask, h.len);
            // We encode minimally; the input may not have: compare fields, not bytes.
            let again = parse_header(&bytes[..size]).expect("our encoding parses");
            assert_eq!(
                (again.fin, again.rsv, again.opcode, again.mask, again.len),
                (h.fin, h.rsv, h.opcode, h.mask, h.len)
            );
        }
    }
}

/// The incremental UTF-8 validator against std, with the first byte choosing
/// where the input is cut.
pub fn utf8(data: &[u8]) {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let at = if rest.is_empty() {
        0
    } else {
        cut as usize % (rest.len() + 1)
    };
    let mut v = Utf8Validator::default();
    let ok = v.feed(&rest[..at]).is_ok() && v.feed(&rest[at..]).is_ok();
    assert_eq!(ok, is_valid_prefix(rest));
}

/// Close frame payloads.
pub fn close_payload(data: &[u8]) {
    if let Ok(Some((code, reason))) = parse_close(data) {
        assert!(crate::is_valid_close_code(code));
        assert_eq!(reason.as_bytes(), &data[2..]);
    }
}
