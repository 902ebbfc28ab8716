use super::*;

#[test]
fn reads_every_part_of_a_url() {
    let c = Config::from_url("redis://alice:p%40ss@example.com:6380/3").unwrap();
    assert_eq!(c.host, "example.com");
    assert_eq!(c.port, 6380);
    assert_eq!(c.username.as_deref(), Some("alice"));
    assert_eq!(c.password.as_deref(), Some("p@ss"));
    assert_eq!(c.db, 3);
    assert!(c.tls.is_none());
    assert_eq!(c.addr(), "example.com:6380");
}

#[test]
fn defaults_and_password_only() {
    let c = Config::from_url("rediss://:secret@[::1]").unwrap();
    assert_eq!((c.port, c.db), (DEFAULT_PORT, 0));
    assert_eq!(c.username, None);
    assert_eq!(c.password.as_deref(), Some("secret"));
    assert!(c.tls.is_some());
    assert_eq!(c.addr(), "[::1]:6379");
    assert_eq!(c.server_name(), "::1");
    assert_eq!(c.read_timeout, Some(DEFAULT_READ_TIMEOUT));
}

#[test]
fn bad_urls_are_url_errors() {
    for url in [
        "http://localhost/",
        "redis://",
        "redis://host/notanumber",
        "redis://host/1?timeout=3",
        "not a url",
    ] {
        assert!(matches!(Config::from_url(url), Err(Error::Url(_))), "{url}");
    }
}

#[test]
fn the_password_is_not_in_debug_output() {
    let c = Config::from_url("redis://:hunter2@h/").unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}

#[test]
fn the_defaults_pass_the_check() {
    assert!(Config::default().check().is_ok());
    let edges = Config::default()
        .max_reply_size(16)
        .max_reply_depth(MAX_REPLY_DEPTH)
        .read_timeout(None)
        .backoff_min(Duration::ZERO)
        .pool_wait(MAX_DURATION);
    assert!(edges.check().is_ok(), "{edges:?}");
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let ms = Duration::from_millis;
    let d = Config::default;
    let bad = [
        d().pool_size(0),
        d().message_queue(0),
        d().max_reply_size(0),
        d().max_reply_size(15),
        d().max_reply_depth(0),
        d().max_reply_depth(MAX_REPLY_DEPTH + 1),
        d().connect_timeout(Duration::ZERO),
        d().read_timeout(Some(Duration::ZERO)),
        d().pool_wait(Duration::ZERO),
        // Each would overflow `Instant + duration`: a panic at first use.
        d().connect_timeout(Duration::MAX),
        d().read_timeout(Some(Duration::MAX)),
        d().pool_wait(Duration::MAX),
        d().backoff_min(MAX_DURATION + ms(1)),
        d().backoff_max(Duration::MAX),
    ];
    for config in bad {
        match config.check() {
            Err(Error::Invalid(why)) => assert!(!why.is_empty()),
            other => panic!("{config:?} gave {other:?}"),
        }
    }
}
