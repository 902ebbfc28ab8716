//! `silly::metrics` counts Redis commands (a pipeline's one by one) and the
//! pool checkouts that had to wait for a connection, exactly, and exports
//! them.

mod util;

use silly::metrics;
use silly::redis::{cmd, Config, Pool};
use silly::task;
use util::redis::RedisServer;

#[test]
fn commands_and_pool_waits_are_counted() {
    let server = RedisServer::start();
    let config = Config::from_url(&server.url()).unwrap().pool_size(1);
    silly::run(move || {
        let pool = Pool::new(config).unwrap();
        let before = metrics::collect().redis;
        let mut first = pool.get().unwrap();
        let other = pool.clone();
        let waiter = task::fork(move || {
            let mut conn = other.get().unwrap(); // the only connection is taken
            conn.set("metrics:k", "v").unwrap();
        });
        task::yield_now(); // the waiter runs until it waits for the pool
        assert_eq!(first.incr("metrics:n", 1).unwrap(), 1);
        let replies = first
            .pipeline()
            .cmd(cmd("PING"))
            .cmd(cmd("GET").arg("metrics:n"))
            .query()
            .unwrap();
        assert_eq!(replies.len(), 2);
        drop(first);
        waiter.join().unwrap();
        let after = metrics::collect().redis;
        assert_eq!(after.pool_gets - before.pool_gets, 2);
        assert_eq!(after.pool_waits - before.pool_waits, 1);
        assert_eq!(after.commands - before.commands, 4, "INCR, PING, GET, SET");
        assert_eq!(after.backplane_dropped, 0);
        let text = metrics::render();
        let line = |name: &str, value: u64| format!("\n{name} {value}\n");
        assert!(
            text.contains(&line("silly_redis_commands_total", after.commands)),
            "{text}"
        );
        assert!(
            text.contains(&line("silly_redis_pool_waits_total", after.pool_waits)),
            "{text}"
        );
    });
}
