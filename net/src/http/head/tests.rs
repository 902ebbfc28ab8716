use super::*;

fn head(text: &str) -> Result<Option<RequestHead>, HeadError> {
    parse_request(text.as_bytes(), 64 * 1024, 100)
}

fn framing(text: &str) -> Result<BodyKind, HeadError> {
    request_body(&head(text).unwrap().unwrap().headers)
}

#[test]
fn parses_a_complete_head_and_waits_for_a_partial_one() {
    let h = head("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nBODY")
        .unwrap()
        .unwrap();
    assert_eq!(h.method, "GET");
    assert_eq!(h.target, "/a?b=1");
    assert_eq!(h.version, Version::Http11);
    assert_eq!(h.headers.get_all("X-A").collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(
        h.len,
        "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n".len()
    );
    assert!(head("GET / HTTP/1.1\r\nHost:").unwrap().is_none());
    assert_eq!(
        head("GET / HTTP/1.0\r\n\r\n").unwrap().unwrap().version,
        Version::Http10
    );
}

#[test]
fn bad_heads_map_to_their_status() {
    assert_eq!(head("NOT HTTP\r\n\r\n").unwrap_err().status(), 400);
    assert_eq!(head("GET / HTTP/2.0\r\n\r\n").unwrap_err().status(), 505);
    assert_eq!(
        head("GET / HTTP/1.1\r\nBad Header\r\n\r\n")
            .unwrap_err()
            .status(),
        400
    );
    let many: String = (0..101).map(|i| format!("h{i}: v\r\n")).collect();
    assert_eq!(
        head(&format!("GET / HTTP/1.1\r\n{many}\r\n"))
            .unwrap_err()
            .status(),
        431
    );
    let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(70 * 1024));
    assert_eq!(head(&big).unwrap_err().status(), 431);
    // 100 headers exactly is fine; more than the stack array needs the heap path.
    let hundred: String = (0..100).map(|i| format!("h{i}: v\r\n")).collect();
    assert_eq!(
        head(&format!("GET / HTTP/1.1\r\n{hundred}\r\n"))
            .unwrap()
            .unwrap()
            .headers
            .len(),
        100
    );
}

#[test]
fn request_framing_rules() {
    assert_eq!(framing("GET / HTTP/1.1\r\n\r\n"), Ok(BodyKind::Empty));
    assert_eq!(
        framing("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"),
        Ok(BodyKind::Length(5))
    );
    assert_eq!(
        framing("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"),
        Ok(BodyKind::Length(5))
    );
    assert_eq!(
        framing("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Ok(BodyKind::Chunked)
    );
    assert_eq!(
        framing("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"),
        Ok(BodyKind::Chunked)
    );
    for smuggle in [
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
    ] {
        assert_eq!(
            framing(smuggle).map_err(HeadError::status),
            Err(400),
            "{smuggle:?}"
        );
    }
    assert_eq!(
        framing("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
            .map_err(HeadError::status),
        Err(501)
    );
}

#[test]
fn response_framing_rules() {
    let h = |s: &str| parse_response(s.as_bytes(), 1 << 16).unwrap().unwrap();
    let r = h("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
    assert_eq!(r.status, 200);
    assert_eq!(
        response_body("GET", 200, &r.headers),
        Ok(BodyKind::Length(3))
    );
    assert_eq!(response_body("HEAD", 200, &r.headers), Ok(BodyKind::Empty));
    assert_eq!(response_body("GET", 204, &r.headers), Ok(BodyKind::Empty));
    let r = h("HTTP/1.0 200 OK\r\n\r\n");
    assert_eq!(
        response_body("GET", 200, &r.headers),
        Ok(BodyKind::UntilClose)
    );
    let r = h("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(response_body("GET", 200, &r.headers), Ok(BodyKind::Chunked));
    assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n", 1 << 16).is_err());
}
