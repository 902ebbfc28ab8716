//! Many concurrent WebSocket connections to one server: every message arrives,
//! once, intact. The server runs in a child process (each side needs its own
//! file descriptors: 10,000 connections are 20,000 sockets in all).

mod util;

use std::rc::Rc;
use std::time::Duration;

use silly::net::websocket::{self, FrameType};
use silly::sync::WaitGroup;
use silly::{task, time};

#[test]
fn ten_thousand_concurrent_websockets() {
    // CI machines run everything else too: a smaller crowd, same checks.
    let clients: usize = if std::env::var("CI").is_ok() {
        3_000
    } else {
        10_000
    };
    const MESSAGES: usize = 3;
    let server = util::example::Example::start("websocket_echo", &["127.0.0.1:0"]);
    let url = format!("ws://{}/", server.addr);
    let delivered = silly::run(move || {
        let received = Rc::new(std::cell::Cell::new(0usize));
        let wg = WaitGroup::new();
        let open = Rc::new(std::cell::Cell::new(0usize));
        for c in 0..clients {
            let (url, received, open) = (url.clone(), received.clone(), open.clone());
            wg.fork(move || {
                let sock = websocket::connect(&url, &[]).expect("connect");
                open.set(open.get() + 1);
                // Hold the connection until everyone is connected: all at once.
                while open.get() < clients {
                    time::sleep(Duration::from_millis(20));
                }
                for m in 0..MESSAGES {
                    let text = format!("client {c} message {m}");
                    sock.write(text.as_bytes(), FrameType::Text).unwrap();
                    let (got, kind) = sock.read().unwrap();
                    assert_eq!(kind, FrameType::Text);
                    assert_eq!(got, text.as_bytes(), "no corruption, no mix-up");
                    received.set(received.get() + 1);
                }
                sock.close().unwrap();
            });
            if c % 200 == 199 {
                task::yield_now(); // let the handshakes of this batch proceed
            }
        }
        wg.wait();
        received.get()
    });
    drop(server);
    assert_eq!(
        delivered,
        clients * MESSAGES,
        "every message echoed exactly once"
    );
}
