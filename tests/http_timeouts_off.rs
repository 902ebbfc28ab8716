//! A server timeout set to `None` is off: a client slower than the timeout
//! would allow is served. Each case also runs with the timeout set, where the
//! same client is cut, so the test shows the timeout mattered.

use std::time::Duration;

use silly::net::http::{self, Config, Timeouts};
use silly::net::tcp::TcpStream;
use silly::time;

/// Longer than `SET` by a margin: a set timeout has surely fired by then.
const PAUSE: Duration = Duration::from_millis(400);
const SET: Option<Duration> = Some(Duration::from_millis(150));

/// Serves with `timeouts`; sends `first`, waits [`PAUSE`], sends `rest`
/// (ignoring a failure: the server may have closed), then returns all the
/// server sent until it closed.
fn slow_client(timeouts: Timeouts, first: &'static [u8], rest: &'static [u8]) -> Vec<u8> {
    silly::run(move || {
        let config = Config::default().timeouts(timeouts);
        let server = http::listen_with("127.0.0.1:0", config, |s| match s.read_all() {
            Ok(body) if s.path() == "/big" => {
                let _ = s.reply(200, &[], &vec![b'x'; BIG + body.len()]);
            }
            Ok(body) => {
                let _ = s.reply(200, &[], format!("got {}", body.len()).as_bytes());
            }
            Err(err) => {
                let reply = format!("is_timeout={}", err.is_timeout());
                let _ = s.reply(500, &[], reply.as_bytes());
            }
        })
        .unwrap();
        let conn = TcpStream::connect(server.local_addr()).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)));
        conn.write_all(first).unwrap();
        time::sleep(PAUSE);
        let _ = conn.write_all(rest);
        let mut reply = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
        server.close();
        reply
    })
}

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

#[test]
fn request_head_none_waits_for_a_slow_head() {
    let first = b"GET / HTTP/1.1\r\nHost: x\r\n";
    let rest = b"Connection: close\r\n\r\n";
    let cut = text(&slow_client(
        Timeouts::default().request_head(SET),
        first,
        rest,
    ));
    assert!(cut.starts_with("HTTP/1.1 408 "), "{cut}");
    let off = text(&slow_client(
        Timeouts::default().request_head(None),
        first,
        rest,
    ));
    assert!(off.starts_with("HTTP/1.1 200 "), "{off}");
    assert!(off.ends_with("got 0"), "{off}");
}

#[test]
fn keep_alive_none_keeps_an_idle_connection() {
    let first = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let rest = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let cut = text(&slow_client(
        Timeouts::default().keep_alive(SET),
        first,
        rest,
    ));
    assert_eq!(cut.matches("HTTP/1.1 200 ").count(), 1, "{cut}");
    let off = text(&slow_client(
        Timeouts::default().keep_alive(None),
        first,
        rest,
    ));
    assert_eq!(off.matches("HTTP/1.1 200 ").count(), 2, "{off}");
}

#[test]
fn body_read_none_waits_for_a_slow_body() {
    let first = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\nab";
    let rest = b"cd";
    let cut = text(&slow_client(
        Timeouts::default().body_read(SET),
        first,
        rest,
    ));
    assert!(cut.starts_with("HTTP/1.1 500 "), "{cut}");
    assert!(cut.ends_with("is_timeout=true"), "{cut}");
    let off = text(&slow_client(
        Timeouts::default().body_read(None),
        first,
        rest,
    ));
    assert!(off.starts_with("HTTP/1.1 200 "), "{off}");
    assert!(off.ends_with("got 4"), "{off}");
}

/// More than the loopback socket buffers hold: the server's write waits for
/// the client to read.
const BIG: usize = 32 << 20;

#[test]
fn write_none_waits_for_a_slow_reader() {
    // The client reads nothing until after the pause (`rest` is empty).
    let request = b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let cut = slow_client(Timeouts::default().write(SET), request, b"");
    assert!(cut.starts_with(b"HTTP/1.1 200 "), "{}", text(&cut[..64]));
    assert!(cut.len() < BIG, "the write timeout cut the response");
    let off = slow_client(Timeouts::default().write(None), request, b"");
    let head = off.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(off.len() - head, BIG, "the whole body arrived");
}
