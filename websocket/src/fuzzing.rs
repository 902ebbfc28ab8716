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
        assert!(crate::close::is_valid_close_code(code));
        assert_eq!(reason.as_bytes(), &data[2..]);
    }
}

/// permessage-deflate: any `Sec-WebSocket-Extensions` value is declined or
/// answered with a response our client accepts as the same agreement; any
/// bytes inflate, or fail, within the size limit.
pub fn deflate(data: &[u8]) {
    use crate::deflate::Compression;
    use crate::deflate::{accept, check_response, Direction, Inflater};

    let header = String::from_utf8_lossy(data);
    for ours in [
        Compression::shared(),
        Compression::per_connection(),
        Compression::per_connection().window_bits(9),
    ] {
        if let Some((answer, server)) = accept(std::iter::once(&*header), &ours) {
            let client = check_response(std::iter::once(answer.as_str()), Some(&ours));
            // Windows may differ (one side may keep a smaller one to itself,
            // and any window inflates with 15 bits); takeover may not.
            let client = client.expect("our answer is valid").expect("accepted");
            assert_eq!(
                (
                    client.server_no_context_takeover,
                    client.client_no_context_takeover
                ),
                (
                    server.server_no_context_takeover,
                    server.client_no_context_takeover
                )
            );
        }
        let _ = check_response(std::iter::once(&*header), Some(&ours));
    }
    let limit = 4096;
    for takeover in [false, true] {
        let mut inflater = Inflater::new(Direction {
            takeover,
            window_bits: 15,
        });
        if inflater.inflate(data, true, limit, None).is_ok() {
            assert!(inflater.finish().len() <= limit);
        }
    }
}
