//! `http::listen_with` checks its config: an invalid value is
//! an `InvalidInput` error whose source is the `ConfigError` naming the field.

use std::io;
use std::time::Duration;

use silly::net::http::{self, Config, Limits, Timeouts};
use silly_runtime::config::ConfigError;

fn refused(config: Config) -> (io::Error, ConfigError) {
    silly::run(move || {
        let err = http::listen_with("127.0.0.1:0", config, |s| {
            let _ = s.close(b"never");
        })
        .expect_err("an invalid config is refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        let source = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<ConfigError>())
            .expect("the ConfigError is the source")
            .clone();
        (err, source)
    })
}

#[test]
fn an_invalid_limit_is_refused() {
    let (err, source) = refused(Config::default().limits(Limits::default().max_headers(0)));
    assert_eq!((source.config(), source.field()), ("Limits", "max_headers"));
    assert!(
        err.to_string().contains("invalid Limits.max_headers"),
        "{err}"
    );
    let (_, source) = refused(Config::default().limits(Limits::default().max_header_bytes(0)));
    assert_eq!(source.field(), "max_header_bytes");
}

#[test]
fn a_zero_timeout_is_refused() {
    let (_, source) =
        refused(Config::default().timeouts(Timeouts::default().body_read(Some(Duration::ZERO))));
    assert_eq!((source.config(), source.field()), ("Timeouts", "body_read"));
}

#[test]
fn a_valid_config_serves() {
    silly::run(|| {
        let config = Config::default().limits(Limits::default().max_headers(1));
        // Any address `tcp::listen` takes, a `SocketAddr` included.
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let server = http::listen_with(addr, config, |s| {
            let _ = s.close(b"ok");
        })
        .unwrap();
        let reply = http::get(&format!("http://{}/", server.local_addr())).unwrap();
        assert_eq!((reply.status, &reply.body[..]), (200, &b"ok"[..]));
        server.close();
    });
}

#[test]
fn client_new_checks_its_config() {
    let config = http::ClientConfig::default().read_timeout(Some(Duration::ZERO));
    let err = http::Client::new(config).expect_err("a zero timeout is refused");
    let source = std::error::Error::source(&err)
        .and_then(|e| e.downcast_ref::<ConfigError>())
        .expect("the ConfigError is the source");
    assert_eq!(
        (source.config(), source.field()),
        ("ClientConfig", "read_timeout")
    );
    assert!(matches!(err, http::Error::Config(_)), "{err}");
    let off = http::ClientConfig::default()
        .read_timeout(None)
        .idle_timeout(None);
    assert!(http::Client::new(off).is_ok(), "None turns a timeout off");
}
