use super::*;

fn head(text: &str) -> Result<Option<RequestHead>, HeadError> {
    parse_request(text.as_bytes(), 64 * 1024, 100)
}

fn framing(text: &str) -> Result<BodyKind, HeadError> {
    request_body(&head(text).unwrap().unwrap())
}

#[test]
fn parses_a_complete_head_and_waits_for_a_partial_one() {
    let h = head("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nBODY")
        .unwrap()
        .unwrap();
    assert_eq!(h.method(), "GET");
    assert_eq!(h.target(), "/a?b=1");
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
}

#[test]
fn bad_response_heads_are_typed_errors() {
    let parse = |s: &str| parse_response(s.as_bytes(), 1024).map(|h| h.map(|h| h.status));
    let malformed = |why| Err(ResponseError::Malformed(why));
    assert_eq!(parse("HTTP/1.1 abc\r\n\r\n"), malformed("invalid status"));
    assert_eq!(
        parse("HTTP/2.0 200 OK\r\n\r\n"),
        malformed("invalid HTTP version")
    );
    assert_eq!(
        parse("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
        malformed("invalid header name")
    );
    let many: String = (0..=MAX_RESPONSE_HEADERS)
        .map(|i| format!("h{i}: v\r\n"))
        .collect();
    let big = parse_response(format!("HTTP/1.1 200 OK\r\n{many}\r\n").as_bytes(), 1 << 16);
    assert_eq!(big.map(|_| ()), Err(ResponseError::TooManyHeaders));
    // Over the limit, whether the head is still arriving or complete.
    let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n", "a".repeat(2000));
    assert_eq!(parse(&long), Err(ResponseError::HeadTooLarge(1024)));
    assert_eq!(
        parse(&format!("{long}\r\n")),
        Err(ResponseError::HeadTooLarge(1024))
    );
    assert_eq!(parse("HTTP/1.1 200 OK\r\nX: 1\r\n"), Ok(None));
    let headers = |cl: &str| {
        let text = format!("HTTP/1.1 200 OK\r\nContent-Length: {cl}\r\n\r\n");
        parse_response(text.as_bytes(), 1024)
            .unwrap()
            .unwrap()
            .headers
    };
    assert_eq!(
        response_body("GET", 200, &headers("abc")),
        Err(ResponseError::InvalidContentLength(
            "invalid Content-Length"
        ))
    );
    assert_eq!(
        response_body("GET", 200, &headers("5, 6")),
        Err(ResponseError::InvalidContentLength(
            "conflicting Content-Length values"
        ))
    );
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;

    fn token() -> impl Strategy<Value = String> {
        "[A-Za-z][A-Za-z0-9-]{0,15}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Arbitrary bytes never panic the parser; a refusal is one of the
        /// statuses the server sends for it.
        #[test]
        fn arbitrary_request_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            match parse_request(&bytes, 512, 20) {
                Ok(Some(head)) => {
                    prop_assert!(head.len <= bytes.len());
                    let _ = request_body(&head);
                }
                Ok(None) => {}
                Err(e) => prop_assert!([400, 431, 501, 505].contains(&e.status())),
            }
            let _ = parse_response(&bytes, 512);
        }

        /// Mostly-HTTP input (a valid start, then noise) exercises the deeper paths.
        #[test]
        fn noisy_requests(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut bytes = b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: ".to_vec();
            bytes.extend_from_slice(&tail);
            if let Ok(Some(head)) = parse_request(&bytes, 64 * 1024, 100) {
                let framing = request_body(&head);
                prop_assert!(framing.is_err(), "TE with CL is always refused: {:?}", framing);
            }
        }

        /// What we can write, we parse back the same.
        #[test]
        fn request_round_trip(
            method in "(GET|POST|PUT|DELETE|PATCH)",
            path in "/[a-z0-9/._~-]{0,40}",
            headers in proptest::collection::vec((token(), "[ -~]{0,30}"), 0..10),
            http10 in any::<bool>(),
        ) {
            let version = if http10 { "1.0" } else { "1.1" };
            let mut text = format!("{method} {path} HTTP/{version}\r\n");
            for (n, v) in &headers {
                text.push_str(&format!("{n}: {v}\r\n"));
            }
            text.push_str("\r\n");
            let head = parse_request(text.as_bytes(), 64 * 1024, 100).unwrap().unwrap();
            prop_assert_eq!(head.method(), method);
            prop_assert_eq!(head.target(), path);
            prop_assert_eq!(head.version, if http10 { Version::Http10 } else { Version::Http11 });
            prop_assert_eq!(head.len, text.len());
            let parsed: Vec<(String, String)> = head.headers.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
            let expected: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.clone(), v.trim().to_owned())).collect();
            prop_assert_eq!(parsed, expected);
        }
    }
}

/// The head as the server hands it on after its Host check, or the status.
fn checked(text: &str) -> Result<RequestHead, u16> {
    let mut head = head(text).unwrap().unwrap();
    check_host(&mut head).map_err(|e| e.status())?;
    Ok(head)
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
    assert_eq!(head.target(), "/a/b?x=1");
    assert_eq!(
        head.headers.get_all("host").collect::<Vec<_>>(),
        ["example.com:8080"]
    );
    let head = checked("GET HTTPS://[::1]?q HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert_eq!(
        (head.target(), head.headers.get("host")),
        ("/?q", Some("[::1]"))
    );
    let head = checked("GET http://h HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!((head.target(), head.headers.get("host")), ("/", Some("h")));
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
    assert_eq!(head.target(), "*");
    let head = checked("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").unwrap();
    assert_eq!(head.target(), "h:443");
}

#[test]
fn a_head_that_is_not_ascii_keeps_every_part_in_place() {
    // Valid UTF-8 beyond ASCII, and obs-text that is not UTF-8: the head is then
    // copied part by part, not whole.
    let raw = b"GET /x HTTP/1.1\r\nHost: h\r\nName: caf\xc3\xa9\r\nOdd: a\xffb\r\nLast: 1\r\n\r\n";
    let h = parse_request(raw, 64 * 1024, 100).unwrap().unwrap();
    assert_eq!((h.method(), h.target()), ("GET", "/x"));
    assert_eq!(h.headers.get("name"), Some("café"));
    assert_eq!(h.headers.get("odd"), Some("a\u{fffd}b"));
    assert_eq!(h.headers.get("last"), Some("1"));
    assert_eq!(h.headers.get("host"), Some("h"));
    assert_eq!(h.len, raw.len());
}

#[test]
fn an_absolute_target_moves_its_authority_into_host_after_a_reused_head() {
    // Parsed into a head that held a longer request before: places must not
    // point into what the last one left.
    let mut h = RequestHead::default();
    let long = "POST /a/very/long/path/indeed HTTP/1.1\r\nHost: first.example\r\nX: 1\r\n\r\n";
    assert!(parse_request_into(long.as_bytes(), 4096, 100, &mut h).unwrap());
    let abs = "GET http://second.example:81/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n";
    assert!(parse_request_into(abs.as_bytes(), 4096, 100, &mut h).unwrap());
    check_host(&mut h).unwrap();
    assert_eq!((h.method(), h.target()), ("GET", "/p?q"));
    assert_eq!(
        h.headers.get_all("host").collect::<Vec<_>>(),
        ["second.example:81"]
    );
    assert_eq!(h.headers.get("x"), None);
}
