use super::*;

#[test]
fn host_values() {
    for good in [
        "",
        "x",
        "example.com",
        "example.com:8080",
        "127.0.0.1:1",
        "localhost:",
        "[::1]",
        "[::1]:443",
        "[2001:db8::7]:65535",
        "[v1.fe80::a+en1]",
        "a-b_c~d.e!$&'()*+,;=",
        "caf%C3%A9.example",
    ] {
        assert!(valid_authority(good.as_bytes()), "{good:?}");
    }
    for bad in [
        "exa mple.com",
        "a/b",
        "a?b",
        "a#b",
        "user@example.com",
        "example.com:80:80",
        "example.com:http",
        "example.com:65536",
        "example.com:123456",
        "[::1",
        "[::1]x",
        "[not-ip]",
        "[v.x]",
        "[v1.]",
        "::1",
        "%zz",
        "%4",
        "caf\u{e9}.example",
        "a\tb",
    ] {
        assert!(!valid_authority(bad.as_bytes()), "{bad:?}");
    }
}
