//! Property tests of the codec: encode/decode round trips, and arbitrary bytes
//! that never panic and either parse or give a typed refusal.

use proptest::prelude::*;

use crate::close::parse_close;
use crate::frame::{encode_header, parse_header};
use crate::mask::apply_mask;
use crate::utf8::{is_valid_prefix, Utf8Validator};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn header_round_trip(fin in any::<bool>(), opcode in 0u8..16, mask in any::<Option<[u8; 4]>>(), len in any::<u64>()) {
        let len = len >> 1; // the top bit must be 0 (RFC 6455, 5.2)
        let (bytes, size) = encode_header(fin, false, opcode, mask, len);
        let header = parse_header(&bytes[..size]).unwrap();
        prop_assert_eq!((header.fin, header.opcode, header.mask, header.len, header.size, header.rsv), (fin, opcode, mask, len, size, 0));
        prop_assert!(parse_header(&bytes[..size - 1]).is_none());
    }

    #[test]
    fn arbitrary_header_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..20)) {
        if let Some(h) = parse_header(&bytes) {
            prop_assert!(h.size <= bytes.len() && h.size <= 14);
        }
    }

    #[test]
    fn masking_is_an_involution_and_splits(data in proptest::collection::vec(any::<u8>(), 0..300), key in any::<[u8; 4]>(), split in any::<usize>()) {
        let mut once = data.clone();
        apply_mask(&mut once, key, 0);
        let mut parts = data.clone();
        let at = if data.is_empty() { 0 } else { split % data.len() };
        let (a, b) = parts.split_at_mut(at);
        apply_mask(a, key, 0);
        apply_mask(b, key, at);
        prop_assert_eq!(&parts, &once);
        apply_mask(&mut once, key, 0);
        prop_assert_eq!(once, data);
    }

    #[test]
    fn utf8_validator_agrees_with_std(bytes in proptest::collection::vec(any::<u8>(), 0..64), cuts in proptest::collection::vec(any::<usize>(), 0..4)) {
        let mut points: Vec<usize> = cuts.iter().map(|c| if bytes.is_empty() { 0 } else { c % (bytes.len() + 1) }).collect();
        points.push(0);
        points.push(bytes.len());
        points.sort_unstable();
        let mut v = Utf8Validator::default();
        let mut ok = true;
        for w in points.windows(2) {
            ok &= v.feed(&bytes[w[0]..w[1]]).is_ok();
            if !ok { break; }
        }
        prop_assert_eq!(ok, is_valid_prefix(&bytes));
    }

    #[test]
    fn text_is_always_valid(text in ".{0,40}", cut in any::<usize>()) {
        let bytes = text.as_bytes();
        let at = if bytes.is_empty() { 0 } else { cut % bytes.len() };
        let mut v = Utf8Validator::default();
        prop_assert!(v.feed(&bytes[..at]).is_ok() && v.feed(&bytes[at..]).is_ok());
    }

    #[test]
    fn close_payloads_parse_or_refuse(payload in proptest::collection::vec(any::<u8>(), 0..125)) {
        if let Ok(Some((code, reason))) = parse_close(&payload) {
            prop_assert!(crate::close::is_valid_close_code(code));
            prop_assert_eq!(reason.as_bytes(), &payload[2..]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The handshake validators never panic, and accept only what RFC 6455 allows.
    #[test]
    fn handshake_validators(
        method in "(GET|POST|get|[A-Z]{1,6})",
        http11 in any::<bool>(),
        headers in proptest::collection::vec(("(Upgrade|Connection|Sec-WebSocket-Version|Sec-WebSocket-Key|Origin|[A-Za-z-]{1,12})", "[ -~]{0,40}"), 0..8),
        status in any::<u16>(),
    ) {
        let mut h = silly_net::http::Headers::new();
        for (n, v) in &headers {
            h.append(n.as_str(), v.as_str());
        }
        if let Ok(key) = crate::handshake::check_request(&method, http11, &h) {
            prop_assert!(method == "GET" && http11);
            prop_assert!(h.has_token("upgrade", "websocket") && h.has_token("connection", "upgrade"));
            prop_assert_eq!(key.len(), 24);
        }
        let accepted = crate::handshake::check_response(status, &h, "dGhlIHNhbXBsZSBub25jZQ==", &[]);
        if accepted.is_ok() {
            prop_assert_eq!(status, 101);
        }
        let _ = crate::handshake::pick_protocol(&["chat".to_owned()], &h);
    }
}
