//! SIGTERM to the `http_hello` example while 20 keep-alive clients send
//! requests in a loop: no response is cut off (each is whole, or the
//! connection closed before any byte of it), new connections are refused
//! once the listener closed while a slow request still runs, and the
//! process exits 0 once that request is done, within the grace period.
//! In-process: an idle keep-alive connection is closed at once, a request
//! in flight is answered with `Connection: close`.

mod util;

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use silly::net::http;
use silly::net::tcp::TcpStream;
use util::example::Example;

const CLIENTS: usize = 20;
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

/// What one response read gave.
enum Got {
    /// A whole response; `true` if it said `Connection: close`.
    Whole(bool),
    /// The connection ended before any byte of a response.
    Nothing,
    /// Some bytes of a response, then the end: a response cut off.
    Cut(Vec<u8>),
}

/// Reads one response (`Content-Length` framed, as http_hello's are).
fn read_response(conn: &mut std::net::TcpStream) -> Got {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap();
            if got.len() >= end + 4 + length {
                assert!(head.starts_with("http/1.1 200"), "{head}");
                return Got::Whole(head.contains("connection: close"));
            }
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) if got.is_empty() => return Got::Nothing,
            Ok(0) | Err(_) => return Got::Cut(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Requests in a loop, reconnecting when the server closes, until a connect
/// is refused (or `stop`). Returns (whole responses, responses cut off).
fn client(addr: SocketAddr, stop: Arc<AtomicBool>) -> (usize, Vec<Vec<u8>>) {
    let (mut whole, mut cut) = (0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let mut conn = match std::net::TcpStream::connect(addr) {
            Ok(conn) => conn,
            Err(err) if err.kind() == ErrorKind::ConnectionRefused => break,
            Err(err) => panic!("connect: {err}"),
        };
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        loop {
            if conn.write_all(REQUEST).is_err() {
                break;
            }
            match read_response(&mut conn) {
                Got::Whole(close) => {
                    whole += 1;
                    if close {
                        let mut rest = Vec::new();
                        let _ = conn.read_to_end(&mut rest);
                        assert!(rest.is_empty(), "bytes after a closing response");
                        break;
                    }
                }
                Got::Nothing => break,
                Got::Cut(bytes) => {
                    cut.push(bytes);
                    break;
                }
            }
        }
    }
    (whole, cut)
}

#[test]
fn sigterm_drains_keep_alive_clients_and_exits_0() {
    let mut server = Example::start("http_hello", &["127.0.0.1:0", "--grace", "10"]);
    let addr: SocketAddr = server.addr.parse().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || client(addr, stop))
        })
        .collect();

    // A slow request holds the server in its grace period: its body is
    // announced and not all sent, so the server waits to skip it.
    let mut slow = std::net::TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        .unwrap();
    assert!(matches!(read_response(&mut slow), Got::Whole(false)));

    std::thread::sleep(Duration::from_millis(300)); // the clients get going
    server.signal("TERM");
    server.expect_line("shutting down", Duration::from_secs(5));

    // The listener closes at once; the process stays for the slow request.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match std::net::TcpStream::connect(addr) {
            Err(err) if err.kind() == ErrorKind::ConnectionRefused => break,
            _ => assert!(Instant::now() < deadline, "still accepting after SIGTERM"),
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(server.is_running(), "exited before the slow request ended");

    slow.write_all(b"cde").unwrap();
    let mut rest = Vec::new();
    slow.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the connection closes after the request");

    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{status}");
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        let (whole, cut) = client.join().unwrap();
        assert!(whole > 0, "a client got no response at all");
        assert!(cut.is_empty(), "responses cut off: {cut:?}");
    }
}

/// In-process: at shutdown an idle keep-alive connection is closed at once
/// (no byte), while a request being handled (held by a gate the test opens
/// only after the idle connection closed) completes with `Connection: close`;
/// `shutdown` reports both as finished.
#[test]
fn idle_connections_close_at_once_and_requests_in_flight_complete() {
    silly::run(|| {
        let gate = silly::sync::Notify::new();
        let handler_gate = gate.clone();
        let server = Rc::new(
            http::listen("127.0.0.1:0", move |s| {
                if s.path() == "/slow" {
                    handler_gate.wait();
                    assert!(s.is_shutting_down());
                }
                let _ = s.reply(200, &[], b"done");
            })
            .unwrap(),
        );
        let addr = server.local_addr();
        let idle = TcpStream::connect(addr).unwrap();
        idle.write_all(REQUEST).unwrap();
        let mut first = [0u8; 256];
        let n = idle.read(&mut first).unwrap();
        assert!(first[..n].ends_with(b"done"));
        let busy = TcpStream::connect(addr).unwrap();
        busy.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        while server.connections() < 2 {
            silly::task::yield_now();
        }
        silly::time::sleep(Duration::from_millis(20)); // its request is read

        let stopping = server.clone();
        let shutdown = silly::task::fork(move || stopping.shutdown(Duration::from_secs(5)));
        let mut rest = Vec::new();
        (&idle).read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "the idle connection got bytes: {rest:?}");
        assert!(
            !shutdown.is_finished(),
            "the request in flight is still held"
        );
        gate.notify_waiters();
        let report = shutdown.join().unwrap();
        assert_eq!((report.finished, report.forced), (2, 0));
        let mut reply = String::new();
        (&busy).read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(reply.contains("Connection: close\r\n"), "{reply}");
        assert!(reply.ends_with("done"), "{reply}");
    });
}
