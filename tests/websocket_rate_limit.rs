//! `Config::max_messages_per_second`: a peer within its budget is served
//! (a burst of a second's worth, and again after a quiet second); one past
//! it is failed with 1008 (Policy Violation) and a reason, the server's
//! `read` returns `Error::Protocol` with 1008, and the runtime counts it.

mod util;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Config, Error, FrameType, Message};
use silly::{sync, time};
use util::interrupt::Baseline;

const LIMIT: u32 = 20;

#[test]
fn a_peer_past_its_messages_per_second_is_closed_with_1008() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let baseline = Baseline::now();
        let before = websocket::stats();
        let (done_tx, done_rx) = sync::channel();
        let config = Config::default().max_messages_per_second(Some(LIMIT));
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade_with(stream, config.clone()).unwrap();
            let mut echoed = 0;
            let end = loop {
                match sock.read() {
                    Ok((data, FrameType::Binary)) => {
                        echoed += 1;
                        let _ = sock.write(&data, FrameType::Binary);
                    }
                    Ok(_) => {}
                    Err(e) => break e,
                }
            };
            let _ = done_tx.send((echoed, end, sock.is_closed()));
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let sock = websocket::connect(&url, &[]).unwrap();
        let echo = |n: u32| {
            for i in 0..n {
                sock.write(&i.to_be_bytes(), FrameType::Binary).unwrap();
            }
            for i in 0..n {
                let (data, _) = sock.read().unwrap();
                assert_eq!(data, i.to_be_bytes());
            }
        };
        // A second's worth at once, then again after a quiet second.
        echo(LIMIT);
        time::sleep(Duration::from_millis(1100));
        echo(LIMIT);
        // Then twice the budget at once: the server stops it.
        for i in 0..2 * LIMIT {
            if sock.write(&i.to_be_bytes(), FrameType::Binary).is_err() {
                break;
            }
        }
        let close = loop {
            match sock.read_message() {
                Ok(Message::Binary(_)) => {}
                Ok(Message::Close(close)) => break close,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            close,
            Some((1008, "too many messages per second".to_owned()))
        );

        let (echoed, end, closed) = done_rx.recv().unwrap();
        assert!(
            (2 * LIMIT..3 * LIMIT).contains(&echoed),
            "{echoed} echoed: the budget, not all"
        );
        assert!(
            matches!(end, Error::Protocol { code: 1008, reason } if reason.contains("per second")),
            "{end:?}"
        );
        assert!(closed);
        assert_eq!(websocket::stats().rate_limited - before.rate_limited, 1);
        drop(sock);
        server.close();
        baseline.assert_back();
    });
}

#[test]
fn pings_count_against_the_budget_too() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let server = util::ws::echo_server_with(Config::default().max_messages_per_second(Some(5)));
        let url = format!("ws://{}/", server.local_addr());
        let sock = websocket::connect(&url, &[]).unwrap();
        for _ in 0..10 {
            if sock.write(b"", FrameType::Ping).is_err() {
                break;
            }
        }
        let mut pongs = 0;
        let close = loop {
            match sock.read_message() {
                Ok(Message::Pong(_)) => pongs += 1,
                Ok(Message::Close(close)) => break close,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(pongs, 5, "the budget's pings answered");
        assert_eq!(close.map(|(code, _)| code), Some(1008));
        server.close();
    });
}
