use super::*;

#[test]
fn encodes_an_array_of_bulk_strings() {
    let mut out = Vec::new();
    cmd("SET").arg("k").arg(b"").arg(-5).encode_into(&mut out);
    assert_eq!(out, b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n$2\r\n-5\r\n");
}

#[test]
fn binary_arguments_pass_unchanged() {
    let all: Vec<u8> = (0..=255).collect();
    let c = cmd("SET").arg("k").arg(&all);
    let args: Vec<&[u8]> = c.args().collect();
    assert_eq!(args, [&b"SET"[..], b"k", &all[..]]);
    let mut out = Vec::new();
    c.encode_into(&mut out);
    assert!(out.ends_with(&[b"$256\r\n".as_slice(), &all, b"\r\n"].concat()));
}

#[test]
fn push_builds_in_place_and_debug_shows_words() {
    let mut c = Cmd::new();
    assert!(c.is_empty());
    c.push("DEL").push(String::from("a")).push(vec![b'b']);
    assert_eq!(format!("{c:?}"), r#"["DEL", "a", "b"]"#);
}
