use super::*;
use crate::http::head::parse_request;

fn checked(text: &str) -> Result<RequestHead, u16> {
    let mut head = parse_request(text.as_bytes(), 64 * 1024, 100)
        .unwrap()
        .unwrap();
    check(&mut head).map_err(|e| e.status())?;
    Ok(head)
}

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

#[test]
fn host_is_required_once_in_http11() {
    assert!(checked("GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_ok());
    assert!(checked("GET / HTTP/1.1\r\nhOsT: x:1\r\n\r\n").is_ok());
    assert_eq!(checked("GET / HTTP/1.1\r\n\r\n").unwrap_err(), 400);
    assert_eq!(
        checked("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n").unwrap_err(),
        400
    );
    assert_eq!(
        checked("GET / HTTP/1.1\r\nHost: bad host\r\n\r\n").unwrap_err(),
        400
    );
    // HTTP/1.0 may leave it out, but not repeat it or send a bad one.
    assert!(checked("GET / HTTP/1.0\r\n\r\n").is_ok());
    assert_eq!(
        checked("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").unwrap_err(),
        400
    );
    assert_eq!(
        checked("GET / HTTP/1.0\r\nHost: a b\r\n\r\n").unwrap_err(),
        400
    );
}

#[test]
fn absolute_form_target_replaces_host() {
    let head =
        checked("GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: other\r\n\r\n").unwrap();
    assert_eq!(head.target, "/a/b?x=1");
    assert_eq!(
        head.headers.get_all("host").collect::<Vec<_>>(),
        ["example.com:8080"]
    );
    let head = checked("GET HTTPS://[::1]?q HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(
        (head.target.as_str(), head.headers.get("host")),
        ("/?q", Some("[::1]"))
    );
    let head = checked("GET http://h HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(
        (head.target.as_str(), head.headers.get("host")),
        ("/", Some("h"))
    );
    for bad in [
        "GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://user:pw@h/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://h:99999/ HTTP/1.1\r\nHost: x\r\n\r\n",
        // Still a 1.1 request without Host (RFC 9112, section 3.2).
        "GET http://h/ HTTP/1.1\r\n\r\n",
    ] {
        assert_eq!(checked(bad).unwrap_err(), 400, "{bad:?}");
    }
    // Other forms are left to the handler.
    let head = checked("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(head.target, "*");
    let head = checked("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").unwrap();
    assert_eq!(head.target, "h:443");
}
