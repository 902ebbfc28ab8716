use super::*;

#[test]
fn lengths_use_the_minimal_form_and_round_trip() {
    for (len, size) in [
        (0u64, 2),
        (125, 2),
        (126, 4),
        (127, 4),
        (65535, 4),
        (65536, 10),
        (1 << 40, 10),
    ] {
        let (bytes, n) = encode_header(true, false, 0x2, None, len);
        assert_eq!(n, size, "len {len}");
        let h = parse_header(&bytes[..n]).unwrap();
        assert_eq!(
            (h.fin, h.opcode, h.len, h.size, h.mask),
            (true, 2, len, size, None)
        );
        assert!(
            parse_header(&bytes[..n - 1]).is_none(),
            "partial header needs more bytes"
        );
    }
    let (bytes, n) = encode_header(false, false, 0x1, Some([1, 2, 3, 4]), 300);
    let h = parse_header(&bytes[..n]).unwrap();
    assert_eq!(
        (h.fin, h.mask, h.len, h.size),
        (false, Some([1, 2, 3, 4]), 300, 8)
    );
}

#[test]
fn reserved_bits_and_opcodes_are_reported_not_rejected() {
    let h = parse_header(&[0xF3, 0x00]).unwrap();
    assert_eq!((h.rsv, h.opcode), (0x7, 0x3));
    assert_eq!(FrameType::from_opcode(0x3), None);
    assert_eq!(FrameType::from_opcode(0xB), None);
    for t in [
        FrameType::Text,
        FrameType::Binary,
        FrameType::Ping,
        FrameType::Pong,
        FrameType::Close,
        FrameType::Continuation,
    ] {
        assert_eq!(FrameType::from_opcode(t.opcode()), Some(t));
    }
}
