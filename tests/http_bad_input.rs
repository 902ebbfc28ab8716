//! Every kind of bad request gets the protocol's answer, and the server goes on.

mod util;

use std::time::{Duration, Instant};

use silly::net::http::{self, Config, Limits, Timeouts};
use silly::net::tcp::TcpStream;
use silly::time;
use util::{raw_exchange, status_of};

fn server_with(limits: Limits, timeouts: Timeouts) -> silly::net::http::Server {
    http::listen_with(
        "127.0.0.1:0",
        Config::default().limits(limits).timeouts(timeouts),
        |s| {
            // On an oversized body, read_all fails and 413 is already sent.
            if let Ok(body) = s.read_all() {
                s.reply(200, &[], format!("got {}", body.len()).as_bytes())
                    .unwrap();
            }
        },
    )
    .unwrap()
}

fn small_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_body_bytes = 1000;
    limits
}

#[test]
fn each_bad_request_gets_its_status() {
    silly::run(|| {
        let server = server_with(small_limits(), Timeouts::default());
        let addr = server.local_addr();
        let many_headers: String = (0..101).map(|i| format!("H{i}: v\r\n")).collect();
        let big_header = format!("X-Big: {}\r\n", "a".repeat(64 * 1024));
        let cases: Vec<(String, u16)> = vec![
            ("NONSENSE\r\n\r\n".into(), 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".into(), 400),
            ("GET / HTTP/1.1\r\nHost: x\r\n X: folded\r\n\r\n".into(), 400),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n".into(), 505),
            ("GET / HTTP/1.2\r\nHost: x\r\n\r\n".into(), 505),
            (format!("GET / HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n"), 431),
            (format!("GET / HTTP/1.1\r\nHost: x\r\n{big_header}\r\n"), 431),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n".into(), 413),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".into(), 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello".into(), 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".into(), 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n".into(), 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".into(), 501),
        ];
        for (request, status) in cases {
            let reply = raw_exchange(addr, request.as_bytes());
            assert_eq!(
                status_of(&reply),
                status,
                "request {:?} got {reply:?}",
                &request[..request.len().min(60)]
            );
            assert!(reply.contains("Connection: close"), "{reply}");
            // The server is still there for the next client.
            let ok = raw_exchange(
                addr,
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            assert_eq!(status_of(&ok), 200);
        }
        server.close();
    });
}

#[test]
fn limits_at_minus_one_equal_and_plus_one() {
    silly::run(|| {
        let mut limits = small_limits();
        limits.max_headers = 10;
        let server = server_with(limits, Timeouts::default());
        let addr = server.local_addr();
        for (len, status) in [(999, 200), (1000, 200), (1001, 413)] {
            let req = format!(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{}",
                "x".repeat(len)
            );
            assert_eq!(
                status_of(&raw_exchange(addr, req.as_bytes())),
                status,
                "body {len}"
            );
        }
        // Chunked bodies are checked as they are decoded.
        for (len, status) in [(1000, 200), (1001, 413)] {
            let req = format!(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                len,
                "y".repeat(len)
            );
            assert_eq!(
                status_of(&raw_exchange(addr, req.as_bytes())),
                status,
                "chunked {len}"
            );
        }
        // Header count: Host and Connection are two of them.
        for (count, status) in [(9, 200), (10, 200), (11, 431)] {
            let extra: String = (0..count - 2).map(|i| format!("H{i}: v\r\n")).collect();
            let req = format!("GET / HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n");
            assert_eq!(
                status_of(&raw_exchange(addr, req.as_bytes())),
                status,
                "{count} headers"
            );
        }
        server.close();
    });
}

#[test]
fn broken_chunked_bodies_are_refused() {
    silly::run(|| {
        let server = server_with(small_limits(), Timeouts::default());
        let addr = server.local_addr();
        for body in [
            "zz\r\nabc\r\n0\r\n\r\n",
            "3\r\nabcdef\r\n0\r\n\r\n",
            "3\nabc\r\n0\r\n\r\n",
            "3\r\nab",
        ] {
            let req =
                format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body}");
            let reply = raw_exchange(addr, req.as_bytes());
            // The handler's read fails; it sends nothing, so the server answers 500
            // and closes instead of reading garbage as the next request.
            assert_eq!(status_of(&reply), 500, "{body:?}: {reply}");
            assert_eq!(reply.matches("HTTP/1.1").count(), 1);
        }
        server.close();
    });
}

#[test]
fn slowloris_and_idle_connections_are_closed() {
    silly::run(|| {
        let mut timeouts = Timeouts::default();
        timeouts.request_head = Some(Duration::from_millis(300));
        timeouts.keep_alive = Some(Duration::from_millis(200));
        let server = server_with(small_limits(), timeouts);
        let addr = server.local_addr();

        // One byte every 50 ms: never a whole head before the deadline.
        let slow = TcpStream::connect(addr).unwrap();
        let start = Instant::now();
        let mut sent = 0;
        for b in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" {
            if slow.write_all(&[*b]).is_err() {
                break;
            }
            sent += 1;
            time::sleep(Duration::from_millis(50));
            if start.elapsed() > Duration::from_secs(3) {
                break;
            }
        }
        let mut reply = String::new();
        let _ = std::io::Read::read_to_string(&mut &slow, &mut reply);
        assert!(reply.is_empty() || status_of(&reply) == 408, "{reply}");
        assert!(
            sent < 20,
            "the server cut the slow client off after {sent} bytes"
        );

        // An idle keep-alive connection is closed after its timeout.
        let idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut head = String::new();
        idle.read_line(&mut head).unwrap();
        assert!(head.starts_with("HTTP/1.1 200"));
        idle.set_read_timeout(Some(Duration::from_secs(5)));
        let mut rest = Vec::new();
        let waited = Instant::now();
        let _ = std::io::Read::read_to_end(&mut &idle, &mut rest);
        assert!(
            waited.elapsed() < Duration::from_secs(4),
            "idle connection closed by the server"
        );

        // Meanwhile, others are served.
        let ok = raw_exchange(
            addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(status_of(&ok), 200);
        server.close();
    });
}

#[test]
fn random_garbage_never_crashes_the_server() {
    silly::run(|| {
        let server = server_with(small_limits(), Timeouts::default());
        let addr = server.local_addr();
        let mut rng = util::Rng::new(7);
        for _ in 0..200 {
            let mut junk = vec![0u8; 1 + rng.below(300) as usize];
            rng.fill(&mut junk);
            if rng.below(2) == 0 {
                junk.splice(0..0, b"POST / HTTP/1.1\r\n".iter().copied());
            }
            let reply = raw_exchange(addr, &junk);
            if !reply.is_empty() {
                assert!(reply.starts_with("HTTP/1.1 "), "{reply:?}");
            }
        }
        let ok = raw_exchange(
            addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(status_of(&ok), 200);
        server.close();
    });
}

/// RFC 9112, section 3.2: an HTTP/1.1 request without Host, or any request with
/// two Host lines or an invalid one, gets 400 and never reaches the handler;
/// HTTP/1.0 may leave Host out. An absolute-form target reaches the handler as
/// its path, with its authority as Host (section 3.2.2).
#[test]
fn host_is_required_once_and_valid() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let seen = format!(
                "{} {} host={:?}",
                s.method(),
                s.target(),
                s.headers().get_all("host").collect::<Vec<_>>()
            );
            s.reply(200, &[], seen.as_bytes()).unwrap();
        })
        .unwrap();
        let addr = server.local_addr();
        let refused = [
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: user@a\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a:99999\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: <a>\r\n\r\n",
            "GET http://user@h/ HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            "GET http:///x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            "GET http://h/ HTTP/1.1\r\nConnection: close\r\n\r\n",
        ];
        for request in refused {
            let reply = raw_exchange(addr, request.as_bytes());
            assert_eq!(status_of(&reply), 400, "{request:?} got {reply:?}");
            assert!(reply.contains("Connection: close"), "{reply}");
            assert!(!reply.contains("host="), "handler not called: {reply}");
        }
        let served = [
            (
                "GET /a HTTP/1.1\r\nHost: example.com:8080\r\nConnection: close\r\n\r\n",
                "GET /a host=[\"example.com:8080\"]",
            ),
            (
                "GET /a HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n",
                "GET /a host=[\"[::1]:80\"]",
            ),
            ("GET /b HTTP/1.0\r\n\r\n", "GET /b host=[]"),
            (
                "GET HTTP://Example.com:81/p?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
                "GET /p?q=1 host=[\"Example.com:81\"]",
            ),
        ];
        for (request, seen) in served {
            let reply = raw_exchange(addr, request.as_bytes());
            assert_eq!(status_of(&reply), 200, "{request:?} got {reply:?}");
            assert!(reply.ends_with(seen), "{request:?} got {reply:?}");
        }
        server.close();
    });
}
