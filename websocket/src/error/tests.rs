use std::error::Error as _;

use silly_net::http::{self, Phase};

use super::*;

#[test]
fn timeouts_are_told_apart_from_other_errors() {
    let timed_out = io::Error::from(io::ErrorKind::TimedOut);
    assert!(Error::Io(timed_out).is_timeout());
    assert!(Error::from(http::Error::Timeout {
        phase: Phase::Connect
    })
    .is_timeout());
    assert!(Error::from(http::Error::Io(io::ErrorKind::TimedOut.into())).is_timeout());
    assert!(Error::PingTimeout.is_timeout());
    let others = [
        Error::Rejected(Box::new(Rejection {
            status: 504,
            headers: Headers::new(),
            body: Vec::new(),
        })),
        Error::Io(io::ErrorKind::ConnectionReset.into()),
        Error::Closed,
        Error::Aborted("why"),
        Error::from(ConfigError::new(
            "Config",
            "fragment_size",
            "must be at least 1",
        )),
        Error::Protocol {
            code: 1002,
            reason: "bad",
        },
    ];
    for e in others {
        assert!(!e.is_timeout(), "{e}");
    }
}

#[test]
fn wrapped_errors_stay_reachable_as_sources() {
    let timeout = Error::from(http::Error::Timeout {
        phase: Phase::Connect,
    });
    let source = timeout.source().expect("the HTTP error");
    assert!(matches!(
        source.downcast_ref::<http::Error>(),
        Some(http::Error::Timeout {
            phase: Phase::Connect
        })
    ));
    let config = Error::from(ConfigError::new(
        "Config",
        "fragment_size",
        "must be at least 1",
    ));
    let source = config.source().expect("the config error");
    let source = source.downcast_ref::<ConfigError>().expect("a ConfigError");
    assert_eq!(source.field(), "fragment_size");
    assert_eq!(
        config.to_string(),
        "websocket: invalid Config.fragment_size: must be at least 1"
    );
    let io = Error::from(http::Error::Io(io::ErrorKind::ConnectionReset.into()));
    assert!(matches!(&io, Error::Io(e) if e.kind() == io::ErrorKind::ConnectionReset));
}

#[test]
fn a_rejection_displays_its_status_only() {
    let mut headers = Headers::new();
    headers.append("X-Why", "banned");
    let e = Error::Rejected(Box::new(Rejection {
        status: 403,
        headers,
        body: vec![b'x'; 10_000],
    }));
    assert_eq!(
        e.to_string(),
        "websocket handshake: the server answered 403, not 101 Switching Protocols"
    );
    let Error::Rejected(answer) = e else {
        unreachable!()
    };
    assert_eq!(answer.headers.get("x-why"), Some("banned"));
}
