//! Pipelines against a real redis-server: 10,000 commands in one write, and
//! an error reply in the middle.

mod util;

use silly::redis::{self, cmd, Error, Value};
use util::redis::RedisServer;

#[test]
fn ten_thousand_commands_reply_in_order() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        let mut pipe = conn.pipeline();
        for i in 0..5_000 {
            pipe.add(&cmd("SET").arg(format!("key:{i}")).arg(i));
            pipe.add(&cmd("INCR").arg(format!("key:{i}")));
        }
        assert_eq!(pipe.len(), 10_000);
        let replies = pipe.query().unwrap();
        assert_eq!(replies.len(), 10_000);
        for (i, pair) in replies.chunks(2).enumerate() {
            assert_eq!(pair[0], Value::Status("OK".into()));
            assert_eq!(pair[1], Value::Int(i as i64 + 1));
        }

        let mut gets = conn.pipeline();
        for i in 0..10_000 {
            gets.add(&cmd("GET").arg(format!("key:{}", i % 5_000)));
        }
        let values = gets.query().unwrap();
        for (i, v) in values.into_iter().enumerate() {
            let n: i64 = v.convert().unwrap();
            assert_eq!(n, (i % 5_000) as i64 + 1);
        }
    });
}

#[test]
fn an_error_reply_fails_the_pipeline_after_all_replies_are_read() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        let result = conn
            .pipeline()
            .cmd(cmd("SET").arg("a").arg("x"))
            .cmd(cmd("INCR").arg("a"))
            .cmd(cmd("SET").arg("b").arg("y"))
            .query();
        match result {
            Err(Error::Server(e)) => assert_eq!(e.kind(), "ERR"),
            other => panic!("{other:?}"),
        }
        // The third command ran, and the connection is in step.
        assert_eq!(conn.get::<String>("b").unwrap(), "y");
        assert!(conn.pipeline().query().unwrap().is_empty());
    });
}

#[test]
fn a_pipeline_dropped_unsent_sends_nothing() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut conn = redis::connect(&url).unwrap();
        drop(conn.pipeline().cmd(cmd("SET").arg("ghost").arg(1)));
        assert_eq!(conn.get::<Option<i64>>("ghost").unwrap(), None);
        assert!(!conn.exists("ghost").unwrap());
    });
}
