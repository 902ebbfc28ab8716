//! A hostile server (or anything between): replies nested 100,000 deep, or
//! announcing lengths no reply may have, are a protocol error that closes
//! that connection: no stack overflow, no huge allocation, and a pool
//! never lends the connection again.

mod util;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use silly::redis::{Config, Connection, Error, Pool, ProtocolError, Value};

/// A server on 127.0.0.1 that answers the first command of each of
/// `conns` connections with `reply`, then reports whether the client shut
/// the connection (its read ends) within 5 s.
fn hostile(reply: Vec<u8>, conns: usize) -> (u16, std::thread::JoinHandle<Vec<bool>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        (0..conns)
            .map(|_| {
                let (mut peer, _) = listener.accept().unwrap();
                peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 4096];
                let _ = peer.read(&mut buf).unwrap();
                // The client may shut the connection before all is sent.
                let _ = peer.write_all(&reply);
                loop {
                    match peer.read(&mut buf) {
                        Ok(0) => break true,
                        Ok(_) => continue,
                        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                        Err(_) => break false,
                    }
                }
            })
            .collect()
    });
    (port, thread)
}

fn config(port: u16) -> Config {
    Config::from_url(&format!("redis://127.0.0.1:{port}")).unwrap()
}

/// `PING` against a server answering `reply`: the error it gets, whether
/// the connection is closed after it, and whether the server saw it end.
fn ping_against(reply: Vec<u8>, config: impl FnOnce(u16) -> Config) -> (Error, bool, bool) {
    let (port, server) = hostile(reply, 1);
    let config = config(port);
    let (err, closed) = silly::run(move || {
        let mut conn = Connection::open(&config).unwrap();
        let err = conn.ping().unwrap_err();
        (err, conn.is_closed())
    });
    (err, closed, server.join().unwrap()[0])
}

fn assert_protocol_error(
    reply: Vec<u8>,
    config: impl FnOnce(u16) -> Config,
    expected: fn(&ProtocolError) -> bool,
) {
    let (err, closed, seen_closed) = ping_against(reply, config);
    match &err {
        Error::Protocol(why) => assert!(expected(why), "{why:?}"),
        other => panic!("{other:?}"),
    }
    assert!(closed, "the connection stays open after {err}");
    assert!(seen_closed, "the server did not see the connection end");
}

#[test]
fn an_array_nested_100000_deep_is_a_protocol_error_not_an_abort() {
    // Before the limit, this overflowed the coroutine's stack and aborted
    // the whole process.
    assert_protocol_error(b"*1\r\n".repeat(100_000), config, |e| {
        *e == ProtocolError::TooDeep { max_depth: 64 }
    });
}

#[test]
fn the_depth_limit_is_configurable() {
    let nested = |depth: usize| {
        let mut reply = b"*1\r\n".repeat(depth);
        reply.extend_from_slice(b"+PONG\r\n");
        reply
    };
    let shallow = |port| config(port).max_reply_depth(3);
    assert_protocol_error(nested(4), shallow, |e| {
        *e == ProtocolError::TooDeep { max_depth: 3 }
    });
    let (port, server) = hostile(nested(3), 1);
    let config = shallow(port);
    let value = silly::run(move || {
        let mut conn = Connection::open(&config).unwrap();
        conn.query::<Value>(&silly::redis::cmd("PING")).unwrap()
    });
    let inner = Value::Array(vec![Value::Status("PONG".into())]);
    assert_eq!(value, Value::Array(vec![Value::Array(vec![inner])]));
    drop(server);
}

#[test]
fn lengths_past_the_reply_size_limit_are_refused_before_any_allocation() {
    // Each announces far more than memory holds; refused from the header.
    for header in [
        &b"$9223372036854775807\r\n"[..],
        b"*9223372036854775807\r\n",
        b"*2\r\n$1000000000000\r\n",
    ] {
        assert_protocol_error(header.to_vec(), config, |e| {
            matches!(e, ProtocolError::LengthPastLimit { max_bytes, .. }
                if *max_bytes == silly::redis::DEFAULT_MAX_REPLY_BYTES)
        });
    }
    // And past a configured limit, though small.
    let small = |port| config(port).max_reply_bytes(1024);
    let past_1024 = |e: &ProtocolError| {
        *e == ProtocolError::LengthPastLimit {
            len: 2000,
            max_bytes: 1024,
        }
    };
    assert_protocol_error(b"$2000\r\n".to_vec(), small, past_1024);
    assert_protocol_error(b"*2000\r\n".to_vec(), small, past_1024);
}

#[test]
fn a_pool_never_lends_a_connection_a_hostile_reply_closed() {
    let (port, server) = hostile(b"*1\r\n".repeat(1000), 2);
    let config = config(port);
    silly::run(move || {
        let pool = Pool::new(config).unwrap();
        let err = pool.get().unwrap().ping().unwrap_err();
        assert!(matches!(err, Error::Protocol(_)), "{err:?}");
        assert_eq!(pool.idle(), 0, "the closed connection went back");
        // The next one is a new connection (the server's second).
        let err = pool.get().unwrap().ping().unwrap_err();
        assert!(matches!(err, Error::Protocol(_)), "{err:?}");
        assert_eq!(pool.idle(), 0);
    });
    assert_eq!(server.join().unwrap(), [true, true]);
}
