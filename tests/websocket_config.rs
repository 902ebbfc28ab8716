//! A WebSocket setting that would fail later (a panic on the first write, a
//! frame limit under a control frame) is refused when the config is used:
//! `connect_with` and `upgrade_with` return `InvalidConfig` naming the
//! setting, the server answers the client 500, and nothing panics. A
//! timeout too large for the clock is no limit, not an error.

mod util;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Compression, Config, Error, FrameType, HubConfig};
use silly::sync;
use silly_runtime::config::ConfigError;

fn bad_configs() -> Vec<(Config, &'static str)> {
    vec![
        (Config::default().fragment_size(0), "fragment_size"),
        (Config::default().max_frame_bytes(0), "max_frame_bytes"),
        (Config::default().max_message_bytes(0), "max_message_bytes"),
        (Config::default().protocols(["two words"]), "protocols"),
        (
            Config::default().compression(Some(Compression::shared().level(10))),
            "level",
        ),
    ]
}

/// The field a config error names, reached through `source()`.
fn field_of(err: &Error) -> &'static str {
    let source = std::error::Error::source(err).expect("a config error has a source");
    let config = source
        .downcast_ref::<ConfigError>()
        .expect("the source is the ConfigError");
    config.field()
}

#[test]
fn connect_with_refuses_a_bad_config_before_connecting() {
    silly::run(|| {
        for (config, field) in bad_configs() {
            // Nothing listens there: the config is refused before any connect.
            let err = websocket::connect_with("ws://127.0.0.1:9/", &[], config).unwrap_err();
            assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
            assert_eq!(field_of(&err), field);
            assert!(!err.is_timeout());
        }
    });
}

#[test]
fn upgrade_with_refuses_a_bad_config_and_answers_500() {
    silly::run(|| {
        for (config, field) in bad_configs() {
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
            assert!(refused.contains("invalid "), "{refused}");
            assert!(refused.contains(&format!(".{field}: ")), "{refused}");
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
fn a_huge_timeout_is_no_limit() {
    silly::run(|| {
        let huge = Config::default()
            .read_timeout(Some(Duration::MAX))
            .write_timeout(Some(Duration::MAX))
            .close_timeout(Some(Duration::MAX))
            .connect_timeout(Some(Duration::MAX));
        let server = util::ws::echo_server_with(huge.clone());
        let sock =
            websocket::connect_with(&format!("ws://{}/", server.local_addr()), &[], huge).unwrap();
        sock.write(b"no deadline", FrameType::Text).unwrap();
        assert_eq!(sock.read().unwrap().0, b"no deadline");
        sock.close().unwrap();
        server.close();
    });
}

#[test]
fn a_hub_refuses_zero_bounds() {
    for (config, field) in [
        (HubConfig::default().max_queue(0), "max_queue"),
        (HubConfig::default().max_queue_bytes(0), "max_queue_bytes"),
    ] {
        let err = websocket::Hub::with_config(config).unwrap_err();
        assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
        assert_eq!(field_of(&err), field);
    }
}
