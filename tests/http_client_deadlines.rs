//! The client's time limits: each phase of a request (connect, send, response
//! head, body) against a raw server that stalls in it, under the per-step
//! timeouts and under a total deadline, and the error naming the phase.

mod util;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use silly::net::http::{self, Client, ClientConfig, Error, Phase};
use silly::net::tcp::{TcpListener, TcpStream};
use silly::net::tls;
use silly::{task, time};

/// The limit under test: long enough for loopback work, short for a test.
const LIMIT: Duration = Duration::from_millis(300);

/// A raw server on a free port: `serve` runs in its own coroutine for each
/// accepted connection, until the test's runtime ends.
fn raw_server(serve: fn(TcpStream)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    task::fork(move || {
        while let Ok((conn, _)) = listener.accept() {
            task::fork(move || serve(conn));
        }
    });
    addr
}

/// Holds the connection open, doing nothing, until the runtime ends.
fn stall(_conn: &TcpStream) {
    silly::time::sleep(Duration::from_secs(3600));
}

/// The phase of a timeout, or a panic naming what came instead.
fn timeout_phase<T: std::fmt::Debug>(result: http::Result<T>) -> Phase {
    match result {
        Err(Error::Timeout { phase }) => phase,
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn connect_phase_a_stalled_tls_handshake() {
    silly::run(|| {
        let addr = raw_server(|conn| stall(&conn)); // speaks no TLS
        let url = format!("https://localhost:{}/", addr.port());
        let by_step = Client::new(ClientConfig::default().connect_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_step.get(&url)), Phase::Connect);
        let by_total = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_total.get(&url)), Phase::Connect);
        // The TLS config's handshake timeout still applies within the phase.
        let tls = tls::ClientConfig::default().handshake_timeout(Some(LIMIT));
        let by_handshake = Client::new(ClientConfig::default().tls(tls)).unwrap();
        assert_eq!(timeout_phase(by_handshake.get(&url)), Phase::Connect);
    });
}

#[test]
fn connect_phase_a_listener_that_takes_no_connection() {
    // Backlog 0 and nobody accepting: once the queue is full the kernel drops
    // further SYNs, and a connect waits for its retransmission (a second).
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    socket.listen(0).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    let mut queued = Vec::new();
    while queued.len() < 16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(conn) => queued.push(conn),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
            Err(e) => panic!("filling the backlog: {e}"),
        }
    }
    assert!(queued.len() < 16, "the backlog never filled");
    silly::run(move || {
        let url = format!("http://{addr}/");
        let client = Client::new(ClientConfig::default().connect_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(client.get(&url)), Phase::Connect);
        let client = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(client.get(&url)), Phase::Connect);
    });
    drop(queued);
}

#[test]
fn send_phase_a_server_that_does_not_read() {
    silly::run(|| {
        let addr = raw_server(|conn| stall(&conn));
        let url = format!("http://{addr}/");
        // Far more than the socket buffers of both ends hold.
        let body = vec![b'x'; 64 * 1024 * 1024];
        let by_step = Client::new(ClientConfig::default().read_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_step.post(&url, &[], &body)), Phase::Send);
        let by_total = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_total.post(&url, &[], &body)), Phase::Send);
    });
}

#[test]
fn head_phase_a_server_that_does_not_answer() {
    silly::run(|| {
        let addr = raw_server(|conn| {
            util::read_request_head(&conn);
            stall(&conn);
        });
        let url = format!("http://{addr}/");
        let by_step = Client::new(ClientConfig::default().read_timeout(Some(LIMIT))).unwrap();
        let err = by_step.get(&url).unwrap_err();
        assert!(
            err.to_string().contains("waiting for the response head"),
            "{err}"
        );
        assert_eq!(timeout_phase::<()>(Err(err)), Phase::Head);
        let by_total = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_total.get(&url)), Phase::Head);
        // Per request, on a client without limits of its own.
        let client = Client::default();
        let request = client.build_request("GET", &url).timeout(Some(LIMIT));
        assert_eq!(timeout_phase(request.send()), Phase::Head);
        let request = client
            .build_request("GET", &url)
            .deadline(time::deadline(Some(LIMIT)));
        assert_eq!(timeout_phase(request.send()), Phase::Head);
    });
}

#[test]
fn body_phase_a_server_that_stops_mid_body() {
    silly::run(|| {
        let addr = raw_server(|conn| {
            util::read_request_head(&conn);
            conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
                .unwrap();
            stall(&conn);
        });
        let url = format!("http://{addr}/");
        let by_step = Client::new(ClientConfig::default().read_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(by_step.get(&url)), Phase::Body);
        // The streaming form: the head arrives, the body's reads time out.
        let by_total = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        let mut reader = by_total.send("GET", &url, &[], b"").unwrap();
        assert_eq!(reader.status(), 200);
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        let err = loop {
            match reader.read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(err) => break err,
            }
        };
        assert_eq!(got, b"ab");
        assert_eq!(timeout_phase::<()>(Err(err)), Phase::Body);
    });
}

/// Answers with a 20-byte body sent a byte every 60 ms: each read is quick,
/// the whole body takes over a second.
fn trickle(conn: TcpStream) {
    util::read_request_head(&conn);
    conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n")
        .unwrap();
    for _ in 0..20 {
        silly::time::sleep(Duration::from_millis(60));
        if conn.write_all(b".").is_err() {
            return;
        }
    }
    util::read_request_head(&conn);
}

#[test]
fn total_deadline_bounds_a_trickling_body() {
    silly::run(|| {
        let addr = raw_server(trickle);
        let url = format!("http://{addr}/");
        let client = Client::default();
        // Without a total deadline the trickle completes: every read is well
        // within the read timeout.
        assert_eq!(client.get(&url).unwrap().body, [b'.'; 20]);
        let request = client.build_request("GET", &url).timeout(Some(LIMIT));
        assert_eq!(timeout_phase(request.send()), Phase::Body);
        let client = Client::new(ClientConfig::default().request_timeout(Some(LIMIT))).unwrap();
        assert_eq!(timeout_phase(client.get(&url)), Phase::Body);
    });
}

#[test]
fn a_request_timeout_replaces_the_clients_for_that_request() {
    silly::run(|| {
        let addr = raw_server(|conn| {
            util::read_request_head(&conn);
            silly::time::sleep(LIMIT);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            util::read_request_head(&conn);
        });
        let url = format!("http://{addr}/");
        let client = Client::new(ClientConfig::default().request_timeout(Some(LIMIT / 3))).unwrap();
        assert_eq!(timeout_phase(client.get(&url)), Phase::Head);
        let response = client
            .build_request("GET", &url)
            .timeout(Some(LIMIT * 10))
            .send()
            .unwrap();
        assert_eq!(response.body, b"ok");
        // A deadline already past ends a request before anything is written:
        // on the pooled connection, in the send phase...
        let request = client
            .build_request("GET", &url)
            .deadline(Some(Instant::now()));
        assert_eq!(timeout_phase(request.send()), Phase::Send);
        // ...and with no connection to reuse, before connecting.
        let fresh = Client::default();
        let request = fresh
            .build_request("GET", &url)
            .deadline(Some(Instant::now()));
        assert_eq!(timeout_phase(request.send()), Phase::Connect);
    });
}

#[test]
fn a_websocket_handshake_timeout_keeps_the_http_timeout_as_its_source() {
    use silly::net::websocket;
    silly::run(|| {
        let addr = raw_server(|conn| {
            util::read_request_head(&conn);
            stall(&conn);
        });
        let mut config = websocket::Config::default();
        config.connect_timeout = Some(LIMIT);
        match websocket::connect_with(&format!("ws://{addr}/"), &[], config) {
            Err(e @ websocket::Error::Http(http::Error::Timeout { .. })) => {
                assert!(e.is_timeout(), "{e}");
                let source = std::error::Error::source(&e).expect("the HTTP error");
                assert!(source.to_string().contains("response head"), "{source}");
            }
            other => panic!("expected an HTTP timeout, got {:?}", other.err()),
        }
    });
}
