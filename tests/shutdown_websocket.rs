//! Graceful shutdown closes WebSockets properly: 100 clients of the chat
//! example each receive a close frame with 1001 on SIGTERM, complete the
//! close handshake, and see a clean TCP close; the process exits 0.
//! In-process: the configured code is sent, and the handler's `read`
//! returns the close.

mod util;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Message};
use silly::sync::WaitGroup;
use util::example::Example;
use util::ws::{frame, open, read_frame, MASK};

const CLIENTS: usize = 100;

/// Reads frames until a close frame; returns its code (`None` if the
/// connection ended first).
fn close_code(conn: &silly::net::tcp::TcpStream) -> Option<u16> {
    loop {
        let (_, opcode, payload, _) = read_frame(conn)?;
        if opcode == 8 {
            return Some(u16::from_be_bytes([payload[0], payload[1]]));
        }
    }
}

#[test]
fn sigterm_closes_every_chat_client_with_1001() {
    let server = Example::start("chat", &["127.0.0.1:0"]);
    let addr: SocketAddr = server.addr.parse().unwrap();
    let pid_signal = Rc::new(server);
    let signaller = pid_signal.clone();
    let outcomes = silly::run(move || {
        let outcomes = Rc::new(RefCell::new(Vec::new()));
        let joined = WaitGroup::new();
        joined.add(CLIENTS);
        let done = WaitGroup::new();
        for _ in 0..CLIENTS {
            let (outcomes, joined) = (outcomes.clone(), joined.clone());
            done.fork(move || {
                let conn = open(addr, "/ws");
                // The welcome: the server has counted this client in.
                let welcome = read_frame(&conn).expect("a welcome");
                assert_eq!(welcome.1, 1);
                joined.done();
                conn.set_read_timeout(Some(Duration::from_secs(10)));
                let code = close_code(&conn);
                // Our half of the close handshake, then the server closes TCP.
                let sent = conn.write_all(&frame(true, 0, 8, &[0x03, 0xE9], Some(MASK)));
                let mut rest = Vec::new();
                let end = std::io::Read::read_to_end(&mut &conn, &mut rest);
                outcomes
                    .borrow_mut()
                    .push((code, sent.is_ok(), end.map(|_| rest.len())));
            });
        }
        joined.wait();
        signaller.signal("TERM");
        done.wait();
        Rc::try_unwrap(outcomes).unwrap().into_inner()
    });
    assert_eq!(outcomes.len(), CLIENTS);
    for (code, sent, end) in outcomes {
        assert_eq!(code, Some(1001), "close code");
        assert!(sent, "the close reply could not be sent");
        assert_eq!(end.ok(), Some(0), "no clean TCP close after the handshake");
    }
    let mut server = Rc::try_unwrap(pid_signal).ok().unwrap();
    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{status}");
}

/// In-process: `shutdown_close_code` is what the client receives, the
/// handler's `read` returns the close, and the report counts the socket.
#[test]
fn the_configured_close_code_is_sent_and_read_returns_the_close() {
    silly::run(|| {
        let handler_saw = Rc::new(RefCell::new(None));
        let saw = handler_saw.clone();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let config =
                websocket::Config::default().shutdown_close_code(websocket::code::SERVICE_RESTART);
            let sock = websocket::upgrade_with(stream, config).unwrap();
            *saw.borrow_mut() = Some(sock.read_message());
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let client = websocket::connect(&url, &[]).unwrap();
        while server.connections() == 0 {
            silly::task::yield_now();
        }
        let reader = silly::task::fork(move || client.read_message());
        silly::time::sleep(Duration::from_millis(20)); // both sides read
        let report = server.shutdown(Duration::from_secs(5));
        assert_eq!((report.finished, report.forced, report.notified), (1, 0, 1));
        match reader.join().unwrap() {
            Ok(Message::Close(Some((code, _)))) => assert_eq!(code, 1012),
            other => panic!("client: {other:?}"),
        }
        let saw = handler_saw.borrow_mut().take();
        match saw {
            Some(Ok(Message::Close(Some((code, _))))) => assert_eq!(code, 1012),
            other => panic!("handler: {other:?}"),
        }
    });
}
