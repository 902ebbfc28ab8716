//! Keepalive, client side (`connect_with` takes the same settings): against
//! a server that completes the handshake and then never answers, the client
//! pings (masked, as a client frame must be), then closes with 1011, and its
//! blocked `read` returns `Error::PingTimeout`. Against a server that
//! answers pings (ours), the client stays connected.

mod util;

use std::time::Duration;

use silly::net::tcp::TcpListener;
use silly::net::websocket::{self, Config, Error, FrameType, Message};
use silly::task;
use util::interrupt::Baseline;
use util::ws::{accept_raw, read_client_frame};

fn keepalive() -> Config {
    Config::default()
        .ping_interval(Some(Duration::from_millis(150)))
        .ping_timeout(Some(Duration::from_millis(250)))
}

#[test]
fn a_client_closes_a_silent_server_with_1011() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let baseline = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let server = task::fork(move || {
            let conn = accept_raw(&listener);
            let ping = read_client_frame(&conn);
            let close = read_client_frame(&conn);
            let end = read_client_frame(&conn);
            (ping, close, end)
        });
        let sock = websocket::connect_with(&url, &[], keepalive()).unwrap();
        let err = sock.read().expect_err("the blocked read ends");
        assert!(
            matches!(err, Error::PingTimeout) && err.is_timeout(),
            "{err:?}"
        );
        assert!(sock.is_closed());
        assert!(matches!(
            sock.write(b"late", FrameType::Text),
            Err(Error::PingTimeout)
        ));

        let (ping, close, end) = server.join().unwrap();
        assert_eq!(ping, Some((9, Vec::new())), "an empty ping");
        let (opcode, payload) = close.expect("a close frame");
        assert_eq!(opcode, 8);
        assert_eq!(&payload[..2], &1011u16.to_be_bytes());
        assert_eq!(end, None, "then TCP ends");
        drop(sock);
        baseline.assert_back();
    });
}

#[test]
fn a_client_stays_connected_to_a_server_that_answers() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let server = util::ws::echo_server();
        let url = format!("ws://{}/", server.local_addr());
        let before = websocket::stats();
        let sock = websocket::connect_with(&url, &[], keepalive()).unwrap();
        // Read for five intervals: only pongs come.
        let reader = sock.clone();
        let reading = task::fork(move || {
            let mut pongs = 0;
            loop {
                match reader.read_message() {
                    Ok(Message::Pong(_)) => pongs += 1,
                    Ok(Message::Text(text)) => return Ok((pongs, text)),
                    Ok(other) => return Err(format!("{other:?}")),
                    Err(e) => return Err(e.to_string()),
                }
            }
        });
        silly::time::sleep(Duration::from_millis(750));
        sock.write(b"still here", FrameType::Text).unwrap();
        let (pongs, text) = reading.join().unwrap().unwrap();
        assert_eq!(text, "still here");
        assert!(pongs >= 2, "{pongs} pongs");
        assert!(websocket::stats().pings_sent - before.pings_sent >= pongs);
        assert_eq!(websocket::stats().ping_timeouts, before.ping_timeouts);
        sock.close().unwrap();
        server.close();
    });
}
