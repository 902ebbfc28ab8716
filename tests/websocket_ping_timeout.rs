//! Keepalive, server side: a peer that completes the handshake and then
//! never answers is pinged once `ping_interval` passes in silence, and
//! closed with 1011 once `ping_timeout` passes after the ping: it gets the
//! close frame, then the end of TCP; the server's `read`, blocked all along,
//! returns `Error::PingTimeout` (a timeout); nothing is left behind.

mod util;

use std::time::{Duration, Instant};

use silly::net::http;
use silly::net::websocket::{self, Config, Error};
use silly::sync;
use util::interrupt::Baseline;
use util::ws::{open, read_frame};

const INTERVAL: Duration = Duration::from_millis(200);
const TIMEOUT: Duration = Duration::from_millis(300);

#[test]
fn a_silent_peer_is_pinged_then_closed_with_1011() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let baseline = Baseline::now();
        let before = websocket::stats();
        let (done_tx, done_rx) = sync::channel();
        let config = Config::default()
            .ping_interval(Some(INTERVAL))
            .ping_timeout(Some(TIMEOUT));
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade_with(stream, config.clone()).unwrap();
            let read = sock.read();
            let _ = done_tx.send((read, sock.is_closed(), sock.read()));
        })
        .unwrap();

        let peer = open(server.local_addr(), "/");
        let opened = Instant::now();
        let (fin, opcode, payload, _) = read_frame(&peer).expect("a ping");
        assert_eq!((fin, opcode, payload.len()), (true, 9, 0), "an empty ping");
        let pinged = opened.elapsed();
        // The peer says nothing: no pong.
        let (_, opcode, payload, _) = read_frame(&peer).expect("a close frame");
        assert_eq!(opcode, 8);
        assert_eq!(&payload[..2], &1011u16.to_be_bytes(), "1011: {payload:?}");
        assert_eq!(&payload[2..], b"no answer to ping");
        assert!(read_frame(&peer).is_none(), "then TCP ends");
        let closed = opened.elapsed();
        // The server's clock started a little before ours: some slack.
        let slack = Duration::from_millis(50);
        assert!(pinged + slack >= INTERVAL, "pinged after {pinged:?}");
        assert!(
            closed + slack >= INTERVAL + TIMEOUT,
            "closed after {closed:?}"
        );

        let (read, closed, again) = done_rx.recv().unwrap();
        let err = read.expect_err("the blocked read ends");
        assert!(matches!(err, Error::PingTimeout), "{err:?}");
        assert!(err.is_timeout());
        assert!(closed, "is_closed");
        assert!(
            matches!(again, Err(Error::PingTimeout)),
            "later calls say why"
        );

        let after = websocket::stats();
        assert_eq!(after.pings_sent - before.pings_sent, 1);
        assert_eq!(after.ping_timeouts - before.ping_timeouts, 1);
        drop(peer);
        server.close();
        baseline.assert_back();
    });
}

#[test]
fn a_peer_that_talks_is_never_pinged() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let config = Config::default()
            .ping_interval(Some(INTERVAL))
            .ping_timeout(Some(TIMEOUT));
        let server = util::ws::echo_server_with(config);
        let before = websocket::stats();
        let peer = open(server.local_addr(), "/");
        // A message every half interval for three intervals: the server
        // hears from it all along, so only echoes come back.
        for n in 0..12u8 {
            peer.write_all(&util::ws::frame(true, 0, 2, &[n], Some(util::ws::MASK)))
                .unwrap();
            let (_, opcode, payload, _) = read_frame(&peer).expect("an echo");
            assert_eq!((opcode, payload), (2, vec![n]), "an echo, not a ping");
            silly::time::sleep(INTERVAL / 2);
        }
        let after = websocket::stats();
        assert_eq!(after.pings_sent, before.pings_sent);
        drop(peer);
        server.close();
    });
}

#[test]
fn a_peer_that_stops_reading_ends_a_stuck_writer() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let baseline = Baseline::now();
        let (done_tx, done_rx) = sync::channel();
        let config = Config::default()
            .ping_interval(Some(INTERVAL))
            .ping_timeout(Some(TIMEOUT));
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade_with(stream, config.clone()).unwrap();
            let reader = sock.clone();
            let reading = silly::task::fork(move || reader.read());
            // More than the socket buffers hold: the write waits for a
            // peer that takes nothing (the write timeout is 30 s).
            let wrote = sock.write(&vec![7; 32 << 20], websocket::FrameType::Binary);
            let _ = done_tx.send((wrote, reading.join().unwrap()));
        })
        .unwrap();
        let peer = open(server.local_addr(), "/");
        util::interrupt::small_buffers(&peer);
        let started = Instant::now();
        let (wrote, read) = done_rx.recv().unwrap();
        let waited = started.elapsed();
        assert!(matches!(wrote, Err(Error::PingTimeout)), "{wrote:?}");
        assert!(matches!(read, Err(Error::PingTimeout)), "{read:?}");
        assert!(
            waited < Duration::from_secs(10),
            "not the write timeout: {waited:?}"
        );
        drop(peer);
        server.close();
        baseline.assert_back();
    });
}
