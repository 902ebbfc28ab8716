//! The HTTP server through real sockets: our client and raw requests.

mod util;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, Client, Version};
use silly::net::tcp::TcpStream;
use silly::task;
use util::{raw_exchange, status_of};

fn echo_handler(s: &mut http::Stream) {
    let body = s.read_all().unwrap_or_default();
    let summary = format!(
        "{} {} v={:?} q={:?} x={:?} all={:?} scheme={} body={}",
        s.method(),
        s.path(),
        s.version(),
        s.query(),
        s.header("x-test"),
        s.headers().get_all("X-Multi").collect::<Vec<_>>(),
        s.scheme(),
        String::from_utf8_lossy(&body),
    );
    s.reply(200, &[("Content-Type", "text/plain")], summary.as_bytes())
        .unwrap();
}

#[test]
fn request_fields_reach_the_handler() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", echo_handler).unwrap();
        let url = format!("http://{}/p/a%20th?a=1&b=x%20y&b=2", server.local_addr());
        let r = http::request(
            "PUT",
            &url,
            &[("X-Test", "yes"), ("X-Multi", "1"), ("x-multi", "2")],
            b"hello",
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert!(r.header("date").is_some_and(|d| d.ends_with(" GMT")));
        let text = String::from_utf8(r.body).unwrap();
        assert_eq!(
            text,
            r#"PUT /p/a%20th v=Http11 q=[("a", "1"), ("b", "x y"), ("b", "2")] x=Some("yes") all=["1", "2"] scheme=http body=hello"#
        );
        server.close();
    });
}

#[test]
fn thousand_requests_on_one_keep_alive_connection() {
    let _serial = util::serial();
    silly::run(|| {
        let peers = Rc::new(RefCell::new(HashSet::new()));
        let p = peers.clone();
        let server = http::listen("127.0.0.1:0", move |s| {
            p.borrow_mut().insert(s.remote_addr());
            let n = s.query_get("n").unwrap_or("").to_owned();
            s.reply(200, &[], n.as_bytes()).unwrap();
        })
        .unwrap();
        let client = Client::default();
        for i in 0..1000 {
            let r = client
                .get(&format!("http://{}/?n={i}", server.local_addr()))
                .unwrap();
            assert_eq!(r.body, i.to_string().as_bytes());
        }
        assert_eq!(
            peers.borrow().len(),
            1,
            "all 1000 requests used one connection"
        );
        server.close();
    });
}

#[test]
fn hundred_pipelined_requests_answered_in_order() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let target = s.target().to_owned();
            s.reply(200, &[], target.as_bytes()).unwrap();
        })
        .unwrap();
        let mut batch = String::new();
        for i in 0..100 {
            batch.push_str(&format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        batch.push_str("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let reply = raw_exchange(server.local_addr(), batch.as_bytes());
        let bodies: Vec<&str> = reply
            .split("HTTP/1.1 200 OK\r\n")
            .skip(1)
            .map(|r| r.split("\r\n\r\n").nth(1).unwrap())
            .collect();
        let expected: Vec<String> = (0..100)
            .map(|i| format!("/{i}"))
            .chain(["/last".to_owned()])
            .collect();
        assert_eq!(bodies, expected);
        server.close();
    });
}

#[test]
fn http10_with_and_without_keep_alive() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            assert_eq!(s.version(), Version::Http10);
            s.respond(200, &[]).unwrap(); // no length: close-delimited for 1.0
            s.write(b"one ").unwrap();
            s.close(b"two").unwrap();
        })
        .unwrap();
        let reply = raw_exchange(server.local_addr(), b"GET / HTTP/1.0\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(reply.contains("Connection: close\r\n"));
        assert!(!reply.contains("Transfer-Encoding"));
        assert!(reply.ends_with("\r\n\r\none two"));

        let keep = Rc::new(RefCell::new(0));
        let k = keep.clone();
        let server2 = http::listen("127.0.0.1:0", move |s| {
            *k.borrow_mut() += 1;
            s.reply(200, &[], b"ok").unwrap();
        })
        .unwrap();
        let reply = raw_exchange(
            server2.local_addr(),
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        );
        assert_eq!(reply.matches("HTTP/1.1 200 OK").count(), 2, "{reply}");
        assert!(reply.contains("Connection: keep-alive\r\n"));
        assert_eq!(*keep.borrow(), 2);
        server.close();
        server2.close();
    });
}

#[test]
fn chunked_response_head_and_no_body_statuses() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| match s.path() {
            "/chunked" => {
                s.respond(200, &[("Content-Type", "text/plain")]).unwrap();
                s.write(b"hello ").unwrap();
                s.write(b"").unwrap();
                s.write(b"world").unwrap();
                // returns without close(): the server ends the chunked body
            }
            "/204" => s.reply(204, &[], b"dropped").unwrap(),
            "/304" => s.reply(304, &[], b"dropped").unwrap(),
            _ => s.reply(200, &[], b"full body").unwrap(),
        })
        .unwrap();
        let addr = server.local_addr();
        let reply = raw_exchange(
            addr,
            b"GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(reply.contains("Transfer-Encoding: chunked\r\n"), "{reply}");
        assert!(
            reply.ends_with("\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"),
            "{reply:?}"
        );
        let r = http::get(&format!("http://{addr}/chunked")).unwrap();
        assert_eq!(r.body, b"hello world");

        let reply = raw_exchange(
            addr,
            b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(
            reply.contains("Content-Length: 9\r\n"),
            "HEAD keeps the length: {reply}"
        );
        assert!(reply.ends_with("\r\n\r\n"), "HEAD has no body: {reply:?}");
        for path in ["/204", "/304"] {
            let reply = raw_exchange(
                addr,
                format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
            );
            assert!(reply.ends_with("\r\n\r\n"), "{path} has no body: {reply:?}");
        }
        let r = http::request("HEAD", &format!("http://{addr}/"), &[], b"").unwrap();
        assert_eq!((r.status, r.body.len()), (200, 0));
        server.close();
    });
}

#[test]
fn chunked_upload_with_trailers_and_expect_continue() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let body = s.read_all().unwrap();
            let trailer = s.trailers().get("x-checksum").unwrap_or("-").to_owned();
            s.reply(
                200,
                &[],
                format!("{}|{}", String::from_utf8_lossy(&body), trailer).as_bytes(),
            )
            .unwrap();
        })
        .unwrap();
        let addr = server.local_addr();
        let reply = raw_exchange(
            addr,
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
              4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Checksum: 42\r\n\r\n",
        );
        assert!(reply.ends_with("\r\n\r\nWikipedia|42"), "{reply:?}");

        // Expect: 100-continue: the body is sent only after the interim response.
        let conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(5)));
        conn.write_all(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
        )
        .unwrap();
        let mut interim = vec![0u8; 25];
        conn.read_exact(&mut interim).unwrap();
        assert_eq!(interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        conn.write_all(b"abc").unwrap();
        let mut line = String::new();
        conn.read_line(&mut line).unwrap();
        assert_eq!(line, "HTTP/1.1 200 OK\r\n");
        server.close();
    });
}

#[test]
fn handler_without_response_or_with_panic_gets_500() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| match s.path() {
            "/panic" => panic!("handler bug"),
            "/inject" => {
                let err = s
                    .respond(200, &[("X-Evil", "a\r\nSet-Cookie: pwned")])
                    .unwrap_err();
                assert!(matches!(err, http::Error::InvalidHeader(_)));
                let err = s.respond(200, &[("Bad Name", "v")]).unwrap_err();
                assert!(matches!(err, http::Error::InvalidHeader(_)));
                let err = s.respond(200, &[("X-Nul", "a\0b")]).unwrap_err();
                assert!(matches!(err, http::Error::InvalidHeader(_)));
                let err = s.respond(200, &[("", "v")]).unwrap_err();
                assert!(matches!(err, http::Error::InvalidHeader(_)));
            }
            "/status" => {
                for status in [0, 42, 99, 1000, u16::MAX] {
                    let err = s.respond(status, &[]).unwrap_err();
                    assert!(matches!(err, http::Error::InvalidStatus(n) if n == status));
                }
            }
            "/nothing" => {}
            _ => s.reply(200, &[], b"fine").unwrap(),
        })
        .unwrap();
        let addr = server.local_addr();
        for path in ["/nothing", "/inject", "/status", "/panic"] {
            let reply = raw_exchange(
                addr,
                format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
            );
            assert_eq!(status_of(&reply), 500, "{path}: {reply}");
            assert!(reply.contains("Connection: close"), "{path}: {reply}");
            assert!(!reply.contains("pwned"));
        }
        let reply = raw_exchange(
            addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(reply.ends_with("fine"), "the server goes on: {reply}");
        server.close();
    });
}

#[test]
fn date_header_is_the_current_second_and_moves_on() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            s.reply(200, &[], b"").unwrap();
        })
        .unwrap();
        let client = Client::default();
        let url = format!("http://{}/", server.local_addr());
        let date_of = |url: &str| {
            let r = client.get(url).unwrap();
            httpdate::parse_http_date(r.header("date").unwrap()).unwrap()
        };
        let first = date_of(&url);
        let now = std::time::SystemTime::now();
        let lag = now.duration_since(first).unwrap();
        assert!(lag < Duration::from_secs(2), "Date {lag:?} behind");
        // Same keep-alive connection, a second and a bit later: a new date.
        silly::time::sleep(Duration::from_millis(1100));
        let second = date_of(&url);
        assert!(second.duration_since(first).unwrap() >= Duration::from_secs(1));
        server.close();
    });
}

#[test]
fn status_lines_for_known_and_unknown_codes() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let status = s.path()[1..].parse().unwrap();
            s.reply(status, &[], b"").unwrap();
        })
        .unwrap();
        let addr = server.local_addr();
        for (status, line) in [
            (200, "HTTP/1.1 200 OK\r\n"),
            (404, "HTTP/1.1 404 Not Found\r\n"),
            (505, "HTTP/1.1 505 HTTP Version Not Supported\r\n"),
            (299, "HTTP/1.1 299 \r\n"),
            (999, "HTTP/1.1 999 \r\n"),
        ] {
            let reply = raw_exchange(
                addr,
                format!("GET /{status} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
            assert!(reply.starts_with(line), "{status}: {reply:?}");
        }
        server.close();
    });
}

#[test]
fn upgrade_hands_over_the_connection_with_early_bytes() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            s.respond(101, &[("Upgrade", "echo"), ("Connection", "Upgrade")])
                .unwrap();
            let (conn, early) = s.upgrade().unwrap();
            assert!(matches!(s.write(b"x"), Err(http::Error::AlreadyResponded)));
            conn.write_all(b"early:").unwrap();
            conn.write_all(&early).unwrap();
            let mut buf = [0u8; 64];
            let n = conn.read(&mut buf).unwrap();
            conn.write_all(&buf[..n]).unwrap();
        })
        .unwrap();
        let conn = TcpStream::connect(server.local_addr()).unwrap();
        conn.write_all(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nPRE",
        )
        .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            conn.read_until(b'\n', &mut head).unwrap();
        }
        assert!(head.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
        let mut early = [0u8; 9];
        conn.read_exact(&mut early).unwrap();
        assert_eq!(&early, b"early:PRE");
        conn.write_all(b"after").unwrap();
        let mut after = [0u8; 5];
        conn.read_exact(&mut after).unwrap();
        assert_eq!(&after, b"after");
        server.close();
    });
}

#[test]
fn two_hundred_concurrent_connections_and_no_fd_leak() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            silly::time::sleep(Duration::from_millis(5));
            s.reply(200, &[], b"ok").unwrap();
        })
        .unwrap();
        let addr = server.local_addr();
        let fds = util::fd_count();
        let clients: Vec<_> = (0..200)
            .map(|_| {
                task::fork(move || {
                    let client = Client::default();
                    for _ in 0..3 {
                        assert_eq!(client.get(&format!("http://{addr}/")).unwrap().body, b"ok");
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        // Clients (and their pools) are gone; the server sees EOF and closes too.
        for _ in 0..200 {
            if util::fd_count() <= fds {
                break;
            }
            silly::time::sleep(Duration::from_millis(5));
        }
        assert!(
            util::fd_count() <= fds,
            "fds {} > baseline {fds}",
            util::fd_count()
        );
        server.close();
    });
}
