//! A WebSocket setting that would fail later (a panic on the first write, a
//! clock overflow on the first read) is refused when the config is used:
//! `connect_with` and `upgrade_with` return `InvalidConfig`, the server
//! answers the client 500, and nothing panics.

mod util;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Config, Error, FrameType, HubConfig};
use silly::sync;

fn bad_configs() -> Vec<Config> {
    vec![
        Config::default().fragment_size(0),
        Config::default().max_frame_size(0),
        Config::default().max_message_size(0),
        Config::default().read_timeout(Some(Duration::MAX)),
        Config::default().close_timeout(Duration::MAX),
        Config::default().protocols(["two words"]),
    ]
}

#[test]
fn connect_with_refuses_a_bad_config_before_connecting() {
    silly::run(|| {
        for config in bad_configs() {
            // Nothing listens there: the config is refused before any connect.
            let err = websocket::connect_with("ws://127.0.0.1:9/", &[], config).unwrap_err();
            assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
        }
    });
}

#[test]
fn upgrade_with_refuses_a_bad_config_and_answers_500() {
    silly::run(|| {
        for config in bad_configs() {
            let (tx, rx) = sync::channel();
            let server = http::listen("127.0.0.1:0", move |stream| {
                let result = websocket::upgrade_with(stream, config.clone());
                let _ = tx.send(result.map(|_| ()).map_err(|e| e.to_string()));
            })
            .unwrap();
            let err =
                websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap_err();
            assert!(err.to_string().contains("500"), "{err}");
            let refused = rx.recv().unwrap().unwrap_err();
            assert!(refused.contains("invalid setting"), "{refused}");
            server.close();
        }
    });
}

#[test]
fn the_smallest_fragment_size_works() {
    silly::run(|| {
        let server = util::ws::echo_server_with(Config::default().fragment_size(1));
        let sock = websocket::connect_with(
            &format!("ws://{}/", server.local_addr()),
            &[],
            Config::default().fragment_size(1),
        )
        .unwrap();
        sock.write(b"one byte per frame", FrameType::Text).unwrap();
        let (data, kind) = sock.read().unwrap();
        assert_eq!(
            (&data[..], kind),
            (&b"one byte per frame"[..], FrameType::Text)
        );
        sock.close().unwrap();
    });
}

#[test]
fn a_hub_refuses_zero_bounds() {
    for config in [
        HubConfig::default().max_queue(0),
        HubConfig::default().max_queue_bytes(0),
    ] {
        let err = websocket::Hub::with_config(config).unwrap_err();
        assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
    }
}
