use super::*;

#[test]
fn round_trips_binary_and_text() {
    for (kind, data) in [
        (FrameType::Binary, &b"\x00\xff\x01"[..]),
        (FrameType::Text, "héllo".as_bytes()),
        (FrameType::Text, &b""[..]),
    ] {
        let mut out = Vec::new();
        encode(0x0102_0304_0506_0708, kind, data, &mut out);
        assert_eq!(out.len(), HEADER_LEN + data.len());
        let got = decode(&out).unwrap();
        assert_eq!(got.node, 0x0102_0304_0506_0708);
        assert_eq!(got.kind, kind);
        assert_eq!(got.data, data);
    }
}

#[test]
fn the_layout_is_as_documented() {
    let mut out = Vec::new();
    encode(7, FrameType::Text, b"hi", &mut out);
    assert_eq!(out, b"\x01\x01\x00\x00\x00\x00\x00\x00\x00\x07hi");
}

#[test]
fn foreign_payloads_are_refused() {
    assert_eq!(decode(b""), None);
    assert_eq!(decode(b"plain text from redis-cli"), None);
    assert_eq!(decode(&[VERSION, 1, 0, 0, 0, 0, 0, 0, 0]), None); // one byte short
    assert_eq!(decode(&[2, 1, 0, 0, 0, 0, 0, 0, 0, 0]), None); // another version
    assert_eq!(decode(&[VERSION, 3, 0, 0, 0, 0, 0, 0, 0, 0]), None); // unknown kind
    let mut out = Vec::new();
    encode(1, FrameType::Binary, b"", &mut out);
    assert!(decode(&out).is_some());
}
