//! Keepalive against a real client: Python `websockets` answers the
//! server's pings by itself, so a connection idle for many `ping_interval`s
//! stays open (no `PingTimeout`), and still carries messages after.

mod util;

use std::process::Command;
use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Config, FrameType, Message};
use silly::{sync, task};

#[test]
fn a_python_client_that_answers_pings_stays_connected() {
    silly::run(|| {
        let before = websocket::stats();
        let (done_tx, done_rx) = sync::channel();
        let config = Config::default()
            .ping_interval(Some(Duration::from_millis(100)))
            .ping_timeout(Some(Duration::from_millis(600)));
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade_with(stream, config.clone()).unwrap();
            let mut pongs = 0;
            let end = loop {
                match sock.read_message() {
                    Ok(Message::Pong(_)) => pongs += 1,
                    Ok(Message::Text(text)) => {
                        let _ = sock.write(text.as_bytes(), FrameType::Text);
                    }
                    Ok(Message::Close(code)) => break Ok(code),
                    Ok(_) => {}
                    Err(e) => break Err(e.to_string()),
                }
            };
            let _ = done_tx.send((pongs, end));
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/py_keepalive.py");
        // Idle for fifteen intervals, and longer than an interval and the
        // timeout together: a server that missed the pongs would drop it.
        let out = task::spawn_blocking(move || {
            Command::new("timeout")
                .args(["60", "python3", script, &url, "1.5"])
                .output()
                .expect("python3 with websockets (.ci/deps)")
        });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("py-keepalive: ok"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (pongs, end) = done_rx.recv().unwrap();
        assert_eq!(end, Ok(Some((1000, String::new()))), "a normal close");
        // Pings every 100 ms of silence for 1.5 s: several answered.
        assert!(pongs >= 3, "{pongs} pongs");
        let after = websocket::stats();
        assert!(after.pings_sent - before.pings_sent >= pongs);
        assert_eq!(after.ping_timeouts, before.ping_timeouts);
        server.close();
    });
}
