use super::*;

#[test]
fn each_setter_sets_its_field() {
    let config = Config::default()
        .max_frame_bytes(1)
        .max_message_bytes(2)
        .fragment_size(3)
        .auto_pong(false)
        .close_timeout(None)
        .read_timeout(Some(Duration::from_secs(5)))
        .write_timeout(None)
        .protocols(["a", "b"])
        .origin_check(|origin| origin.is_none())
        .connect_timeout(Some(Duration::from_secs(6)))
        .shutdown_close_code(4000)
        .compression(Some(Compression::shared()))
        .ping_interval(Some(Duration::from_secs(7)))
        .ping_timeout(None)
        .max_messages_per_second(Some(9));
    assert_eq!(config.ping_interval, Some(Duration::from_secs(7)));
    assert_eq!(config.ping_timeout, None);
    assert_eq!(config.max_messages_per_second, Some(9));
    assert_eq!((config.max_frame_bytes, config.max_message_bytes), (1, 2));
    assert_eq!((config.fragment_size, config.auto_pong), (3, false));
    assert_eq!(config.close_timeout, None);
    assert_eq!(config.read_timeout, Some(Duration::from_secs(5)));
    assert_eq!(config.write_timeout, None);
    assert_eq!(config.protocols, ["a", "b"]);
    let check = config.origin_check.expect("set");
    assert!(check(None) && !check(Some("https://example.com")));
    assert_eq!(config.connect_timeout, Some(Duration::from_secs(6)));
    assert_eq!(config.shutdown_close_code, 4000);
    assert_eq!(config.compression, Some(Compression::shared()));
}

#[test]
fn values_that_would_fail_later_are_refused_naming_the_field() {
    assert!(Config::default().check().is_ok());
    let bad = [
        (Config::default().fragment_size(0), "fragment_size"),
        (Config::default().max_frame_bytes(124), "max_frame_bytes"),
        (Config::default().max_message_bytes(0), "max_message_bytes"),
        (Config::default().protocols([""]), "protocols"),
        (Config::default().protocols(["chat, v2"]), "protocols"),
        (
            Config::default().protocols(["a\r\nX-Injected: 1"]),
            "protocols",
        ),
        (
            Config::default().compression(Some(Compression::shared().level(10))),
            "level",
        ),
        (
            Config::default().compression(Some(Compression::shared().window_bits(8))),
            "window_bits",
        ),
        (
            Config::default().ping_interval(Some(Duration::ZERO)),
            "ping_interval",
        ),
        (
            Config::default().ping_timeout(Some(Duration::ZERO)),
            "ping_timeout",
        ),
        (
            Config::default().max_messages_per_second(Some(0)),
            "max_messages_per_second",
        ),
    ];
    for (config, field) in bad {
        let err = config.check().expect_err("refused");
        assert_eq!(err.field(), field, "{config:?}: {err}");
    }
}

#[test]
fn huge_timeouts_and_edge_values_are_accepted() {
    // A timeout too large for the clock is no limit, not an error.
    let edge = Config::default()
        .fragment_size(1)
        .max_frame_bytes(MIN_FRAME_BYTES)
        .max_message_bytes(1)
        .close_timeout(Some(Duration::MAX))
        .read_timeout(Some(Duration::MAX))
        .write_timeout(Some(Duration::MAX))
        .connect_timeout(Some(Duration::MAX))
        .ping_interval(Some(Duration::MAX))
        .ping_timeout(Some(Duration::MAX))
        .max_messages_per_second(Some(u32::MAX))
        .protocols(["chat.v2", "x-y_z"]);
    assert!(edge.check().is_ok());
}
