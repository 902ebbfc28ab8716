//! The chat example as a service: its page from disk with validators, its
//! routes' own answers, its metrics, and the limits it sets by default (per-address
//! connections answered 429, a flooding client closed with 1008).

mod util;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use silly::net::websocket::{self, FrameType, Message};
use util::example::Example;

/// One request on its own connection; the whole answer.
fn get(addr: &str, request: &str) -> String {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

#[test]
fn the_page_routes_and_validators() {
    let chat = Example::start("chat", &["127.0.0.1:0"]);
    let page = get(
        &chat.addr,
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert_eq!(
        header(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        header(&page, "content-security-policy").is_some_and(|p| p.contains("connect-src 'self'"))
    );
    let index = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/chat/index.html"
    ))
    .unwrap();
    assert!(
        page.ends_with(&index),
        "the page is examples/chat/index.html"
    );
    let etag = header(&page, "etag").expect("an ETag").to_owned();
    let again = get(
        &chat.addr,
        &format!("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"),
    );
    assert!(again.starts_with("HTTP/1.1 304 "), "{again}");
    let missing = get(
        &chat.addr,
        "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(missing.starts_with("HTTP/1.1 404 "), "{missing}");
    let posted = get(
        &chat.addr,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert!(posted.starts_with("HTTP/1.1 405 "), "{posted}");
    assert_eq!(header(&posted, "allow"), Some("GET, HEAD"));
    // What the requests above did, as Prometheus sees it.
    let metrics = get(
        &chat.addr,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(metrics.starts_with("HTTP/1.1 200 OK\r\n"), "{metrics}");
    assert!(header(&metrics, "content-type").is_some_and(|t| t.starts_with("text/plain")));
    for line in [
        "silly_http_responses_total{code=\"200\"} 1",
        "silly_http_responses_total{code=\"304\"} 1",
        "silly_http_responses_total{code=\"404\"} 1",
        "silly_http_responses_total{code=\"405\"} 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no {line:?} in\n{metrics}"
        );
    }
    // A path that climbs out of the site is not a file.
    let traversal = get(
        &chat.addr,
        "GET /../Cargo.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(!traversal.starts_with("HTTP/1.1 200"), "{traversal}");
}

#[test]
fn connections_past_the_per_address_limit_get_429() {
    let chat = Example::start("chat", &["127.0.0.1:0", "--max-connections-per-ip", "2"]);
    let url = format!("ws://{}/ws", chat.addr);
    silly::run(move || {
        let first = websocket::connect(&url, &[]).unwrap();
        let second = websocket::connect(&url, &[]).unwrap();
        match websocket::connect(&url, &[]) {
            Err(websocket::Error::Rejected(rejection)) => assert_eq!(rejection.status, 429),
            other => panic!("a third connection from one address: {other:?}"),
        }
        // One leaves: a place is free again.
        first.close().unwrap();
        drop(first);
        let mut third = None;
        for _ in 0..100 {
            if let Ok(sock) = websocket::connect(&url, &[]) {
                third = Some(sock);
                break;
            }
            silly::time::sleep(Duration::from_millis(20));
        }
        assert!(third.is_some(), "a freed place is given again");
        drop(second);
    });
}

#[test]
fn a_flooding_client_is_closed_with_1008() {
    let chat = Example::start("chat", &["127.0.0.1:0", "--max-messages-per-second", "5"]);
    let url = format!("ws://{}/ws", chat.addr);
    silly::run(move || {
        let sock = websocket::connect(&url, &[]).unwrap();
        for i in 0..20 {
            if sock
                .write(format!("line {i}").as_bytes(), FrameType::Text)
                .is_err()
            {
                break;
            }
        }
        let mut close = None;
        for _ in 0..100 {
            match sock.read_message() {
                Ok(Message::Close(frame)) => {
                    close = frame;
                    break;
                }
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        let (code, reason) = close.expect("a close frame with a code");
        assert_eq!(code, 1008, "{reason}");
        assert!(reason.contains("too many messages"), "{reason}");
    });
}
