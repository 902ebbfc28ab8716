//! One config convention in silly-redis: every entry point that takes a
//! config checks it before it connects (an invalid value is
//! `Error::Config`, whose source is the `ConfigError` naming the field), and
//! a timeout too long for the clock means none instead of a panic.

mod util;

use std::error::Error as _;
use std::net::TcpListener;
use std::time::Duration;

use silly::config::ConfigError;
use silly::net::websocket::Hub;
use silly::redis::{self, BackplaneConfig, Config, Connection, Error, Pool, Subscriber};
use util::redis::RedisServer;

/// `(config type, field)` of the config error inside `result`'s error.
fn refused<T: std::fmt::Debug>(result: redis::Result<T>) -> (&'static str, &'static str) {
    let err = result.unwrap_err();
    let Error::Config(e) = &err else {
        panic!("not a config error: {err:?}")
    };
    let source = err.source().and_then(|s| s.downcast_ref::<ConfigError>());
    assert_eq!(source, Some(e), "the ConfigError is the source");
    assert!(!err.is_timeout());
    assert!(err.to_string().contains(&e.to_string()), "{err}");
    (e.config(), e.field())
}

#[test]
fn every_entry_point_refuses_an_invalid_config_before_connecting() {
    // Anything that tried to connect would be accepted here.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "redis://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let good = Config::from_url(&url).unwrap();
    silly::run(move || {
        let bad = good.clone().pool_size(0);
        assert_eq!(refused(Connection::open(&bad)), ("Config", "pool_size"));
        assert_eq!(refused(Pool::new(bad.clone())), ("Config", "pool_size"));
        assert_eq!(
            refused(Subscriber::open(bad.clone())),
            ("Config", "pool_size")
        );
        let hub = Hub::new();
        let attached = redis::HubBackplane::attach(&hub, bad, BackplaneConfig::default());
        assert_eq!(refused(attached), ("Config", "pool_size"));
        let attached = redis::HubBackplane::attach(
            &hub,
            good.clone().read_timeout(Some(Duration::ZERO)),
            BackplaneConfig::default(),
        );
        assert_eq!(refused(attached), ("Config", "read_timeout"));
        let attached =
            redis::HubBackplane::attach(&hub, good, BackplaneConfig::default().max_queue(0));
        assert_eq!(refused(attached), ("BackplaneConfig", "max_queue"));
    });
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a refused config still connected: {accepted:?}"
    );
}

#[test]
fn a_huge_timeout_means_none() {
    let server = RedisServer::start();
    let huge = Some(Duration::MAX);
    let config = Config::from_url(&server.url())
        .unwrap()
        .connect_timeout(huge)
        .read_timeout(huge)
        .pool_timeout(huge);
    silly::run(move || {
        let mut conn = Connection::open(&config).unwrap();
        conn.set("k", "v").unwrap();
        assert_eq!(conn.get::<String>("k").unwrap(), "v");

        let pool = Pool::new(config.clone().pool_size(1)).unwrap();
        pool.get().unwrap().ping().unwrap();

        let sub = Subscriber::open(config).unwrap();
        sub.subscribe(&["news"]).unwrap();
        assert_eq!(conn.publish("news", "hi").unwrap(), 1);
        let msg = sub.next_message_timeout(Duration::MAX).unwrap();
        assert_eq!(
            (msg.channel, msg.payload),
            (b"news".to_vec(), b"hi".to_vec())
        );
    });
}
