use super::*;

#[test]
fn the_rest_of_a_frame_starts_where_the_cut_fell() {
    let header = [0x82, 3];
    let mut out = Vec::new();
    push_rest(&mut out, &header, None, b"abc", 0);
    assert_eq!(out, [0x82, 3, b'a', b'b', b'c']);
    out.clear();
    push_rest(&mut out, &header, None, b"abc", 1);
    assert_eq!(out, [3, b'a', b'b', b'c']);
    out.clear();
    push_rest(&mut out, &header, None, b"abc", 3);
    assert_eq!(out, b"bc");
}

#[test]
fn a_masked_rest_keeps_the_mask_offset() {
    let key = [1, 2, 3, 4];
    let header = [0x82, 0x80 | 4, 1, 2, 3, 4];
    let mut whole = Vec::new();
    push_rest(&mut whole, &header, Some(key), b"wxyz", 0);
    for cut in 0..whole.len() {
        let mut rest = Vec::new();
        push_rest(&mut rest, &header, Some(key), b"wxyz", cut);
        assert_eq!(rest, whole[cut..], "cut at {cut}");
    }
}
