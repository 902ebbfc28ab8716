//! Command round trips against a real redis-server: binary values, the
//! shorthands, error replies and conversion errors.

mod util;

use silly::redis::{self, cmd, Error, Value};
use util::redis::RedisServer;

#[test]
fn binary_values_round_trip_unchanged() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        let all: Vec<u8> = (0..=255).collect();
        let large: Vec<u8> = (0..1024 * 1024).map(|i| (i * 31 % 251) as u8).collect();
        for (key, value) in [
            (&b"all\x00bytes"[..], &all[..]),
            (b"empty", b""),
            (b"large", &large[..]),
        ] {
            conn.set(key, value).unwrap();
            let back: Option<Vec<u8>> = conn.get(key).unwrap();
            assert_eq!(
                back.as_deref(),
                Some(value),
                "{}",
                String::from_utf8_lossy(key)
            );
        }
        let strlen: i64 = conn.query(&cmd("STRLEN").arg("large")).unwrap();
        assert_eq!(strlen, 1024 * 1024);
    });
}

#[test]
fn shorthands_and_typed_replies() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        conn.ping().unwrap();
        assert_eq!(conn.get::<Option<String>>("missing").unwrap(), None);
        assert_eq!(conn.req(&cmd("GET").arg("missing")).unwrap(), Value::Nil);
        assert_eq!(conn.incr("n", 5).unwrap(), 5);
        assert_eq!(conn.incr("n", -2).unwrap(), 3);
        assert_eq!(conn.get::<i64>("n").unwrap(), 3);
        assert!(conn.exists("n").unwrap());
        assert!(conn.expire("n", 100).unwrap());
        let ttl: i64 = conn.query(&cmd("TTL").arg("n")).unwrap();
        assert!((1..=100).contains(&ttl), "{ttl}");
        conn.set_ex("short", "v", 50).unwrap();
        assert_eq!(conn.get::<String>("short").unwrap(), "v");
        assert_eq!(conn.del("n").unwrap(), 1);
        assert!(!conn.exists("n").unwrap());
        assert_eq!(conn.publish("nobody", "hi").unwrap(), 0);

        conn.query::<()>(&cmd("RPUSH").arg("list").arg("a").arg(b"").arg(3))
            .unwrap();
        let list: Vec<Vec<u8>> = conn
            .query(&cmd("LRANGE").arg("list").arg(0).arg(-1))
            .unwrap();
        assert_eq!(list, [b"a".to_vec(), vec![], b"3".to_vec()]);
        let status = conn.req(&cmd("SET").arg("s").arg(1)).unwrap();
        assert_eq!(status, Value::Status("OK".into()));
    });
}

#[test]
fn error_replies_are_typed_and_leave_the_connection_usable() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        conn.query::<()>(&cmd("RPUSH").arg("list").arg("a"))
            .unwrap();
        match conn.get::<Option<String>>("list") {
            Err(Error::Server(e)) => {
                assert_eq!(e.kind(), "WRONGTYPE");
                assert!(e.message().contains("wrong kind"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        match conn.query::<()>(&cmd("NOSUCHCOMMAND")) {
            Err(Error::Server(e)) => assert_eq!(e.kind(), "ERR"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            conn.query::<i64>(&cmd("PING")),
            Err(Error::Type(_))
        ));
        assert!(matches!(
            conn.req(&redis::Cmd::new()),
            Err(Error::Invalid(_))
        ));
        assert!(!conn.is_closed());
        conn.set("k", "still fine").unwrap();
        assert_eq!(conn.get::<String>("k").unwrap(), "still fine");
    });
}
