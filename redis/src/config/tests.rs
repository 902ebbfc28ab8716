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
fn bad_urls_are_url_errors_that_say_why() {
    use std::error::Error as _;
    type Expected = fn(&UrlError) -> bool;
    let cases: [(&str, Expected, bool); 6] = [
        (
            "http://localhost/",
            |e| matches!(e, UrlError::Scheme(s) if s == "http"),
            false,
        ),
        ("redis://", |e| matches!(e, UrlError::NoHost), false),
        (
            "redis://host/notanumber",
            |e| matches!(e, UrlError::Db(_)),
            true,
        ),
        (
            "redis://host/1?timeout=3",
            |e| matches!(e, UrlError::Query),
            false,
        ),
        ("not a url", |e| matches!(e, UrlError::Parse(_)), true),
        (
            "redis://:%ff@host/",
            |e| matches!(e, UrlError::NotUtf8(_)),
            true,
        ),
    ];
    for (url, expected, has_source) in cases {
        let err = Config::from_url(url).unwrap_err();
        let Error::Url(why) = &err else {
            panic!("{url}: {err:?}")
        };
        assert!(expected(why), "{url}: {why:?}");
        // The typed error is reachable, and its own cause below it.
        let source = err.source().expect("a url error has a source");
        assert!(source.downcast_ref::<UrlError>().is_some(), "{url}");
        assert_eq!(source.source().is_some(), has_source, "{url}: {why:?}");
    }
}

#[test]
fn a_url_error_does_not_repeat_the_password() {
    let err = Config::from_url("redis://:hunter2@host/1?x=1").unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
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
        .max_reply_bytes(16)
        .max_reply_depth(MAX_REPLY_DEPTH)
        .read_timeout(None)
        .connect_timeout(None)
        .pool_timeout(None)
        .backoff_min(Duration::from_nanos(1))
        .backoff_max(Duration::from_nanos(1));
    assert!(edges.check().is_ok(), "{edges:?}");
}

#[test]
fn a_huge_duration_is_accepted_and_means_none() {
    // No cap: `time::deadline` makes a timeout too long for the clock none.
    let huge = Config::default()
        .connect_timeout(Some(Duration::MAX))
        .read_timeout(Some(Duration::MAX))
        .pool_timeout(Some(Duration::MAX))
        .backoff_min(Duration::MAX)
        .backoff_max(Duration::MAX);
    assert!(huge.check().is_ok(), "{huge:?}");
}

#[test]
fn settings_that_cannot_work_are_refused_naming_the_field() {
    let ms = Duration::from_millis;
    let d = Config::default;
    let bad = [
        (d().pool_size(0), "pool_size"),
        (d().message_queue(0), "message_queue"),
        (d().max_reply_bytes(0), "max_reply_bytes"),
        (d().max_reply_bytes(15), "max_reply_bytes"),
        (d().max_reply_depth(0), "max_reply_depth"),
        (d().max_reply_depth(MAX_REPLY_DEPTH + 1), "max_reply_depth"),
        (d().connect_timeout(Some(Duration::ZERO)), "connect_timeout"),
        (d().read_timeout(Some(Duration::ZERO)), "read_timeout"),
        (d().pool_timeout(Some(Duration::ZERO)), "pool_timeout"),
        (d().backoff_min(Duration::ZERO), "backoff_min"),
        (d().backoff_min(ms(200)).backoff_max(ms(100)), "backoff_max"),
    ];
    for (config, field) in bad {
        let err = config.check().unwrap_err();
        assert_eq!((err.config(), err.field()), ("Config", field), "{config:?}");
        assert!(
            err.to_string()
                .starts_with(&format!("invalid Config.{field}: ")),
            "{err}"
        );
    }
}
