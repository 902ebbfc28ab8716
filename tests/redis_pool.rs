//! The connection pool against a real redis-server: 100 coroutines on a few
//! connections, a bounded wait, broken connections discarded, reconnection.

mod util;

use std::time::Duration;

use silly::redis::{Config, Error, Pool};
use silly::task;
use util::redis::RedisServer;

fn pool(url: &str, size: usize) -> Pool {
    Pool::new(Config::from_url(url).unwrap().pool_size(size)).unwrap()
}

#[test]
fn a_hundred_coroutines_share_eight_connections() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let pool = pool(&url, 8);
        let workers: Vec<_> = (0..100)
            .map(|i| {
                let pool = pool.clone();
                task::fork(move || {
                    for round in 0..20 {
                        let mut conn = pool.get().unwrap();
                        conn.incr("total", 1).unwrap();
                        let key = format!("worker:{i}");
                        conn.set(&key, round).unwrap();
                        assert_eq!(conn.get::<i64>(&key).unwrap(), round);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert!(pool.idle() <= 8, "{}", pool.idle());
        let mut conn = pool.get().unwrap();
        assert_eq!(conn.get::<i64>("total").unwrap(), 100 * 20);
        let clients: String = conn
            .query(&silly::redis::cmd("CLIENT").arg("LIST"))
            .unwrap();
        assert!(clients.lines().count() <= 8, "{clients}");
    });
}

#[test]
fn an_exhausted_pool_waits_then_times_out() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let config = Config::from_url(&url)
            .unwrap()
            .pool_size(1)
            .pool_timeout(Some(Duration::from_millis(100)));
        let pool = Pool::new(config).unwrap();
        let held = pool.get().unwrap();
        let err = pool.get().unwrap_err();
        assert!(
            matches!(err, Error::PoolTimeout) && err.is_timeout(),
            "{err:?}"
        );
        // Given back while another waits: the waiter gets it.
        let waiter = {
            let pool = pool.clone();
            task::fork(move || pool.get().map(|mut c| c.ping()))
        };
        task::yield_now();
        drop(held);
        waiter.join().unwrap().unwrap().unwrap();
    });
}

#[test]
fn broken_connections_are_dropped_and_the_pool_reconnects() {
    let mut server = RedisServer::start();
    let url = server.url();
    let port = server.port();
    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    // The server is killed and restarted from another thread while the
    // runtime waits.
    let controller = std::thread::spawn(move || {
        kill_rx.recv().unwrap();
        server.kill();
        done_tx.send(()).unwrap();
        kill_rx.recv().unwrap();
        server.restart();
        assert_eq!(server.port(), port);
        done_tx.send(()).unwrap();
        server
    });
    silly::run(move || {
        let config = Config::from_url(&url)
            .unwrap()
            .pool_size(2)
            .pool_timeout(Some(Duration::from_millis(500)))
            .backoff_min(Duration::from_millis(20))
            .backoff_max(Duration::from_millis(200));
        let pool = Pool::new(config).unwrap();
        let mut held = pool.get().unwrap();
        held.set("k", 1).unwrap();
        pool.get().unwrap().ping().unwrap();
        assert_eq!(pool.idle(), 1);

        let wait = || {
            while done_rx.try_recv().is_err() {
                silly::time::sleep(Duration::from_millis(10));
            }
        };
        kill_tx.send(()).unwrap();
        wait();
        // In use when the server died: the command fails, and the connection
        // is not given back.
        let err = held.ping().unwrap_err();
        assert!(err.breaks_connection(), "{err:?}");
        assert!(held.is_closed());
        drop(held);
        assert_eq!(pool.idle(), 1, "only the idle one is kept");
        // The idle one is found closed and dropped; nothing listens, so get
        // gives the connect error once its wait is up.
        assert!(matches!(pool.get(), Err(Error::Io(_) | Error::Timeout)));
        assert_eq!(pool.idle(), 0);

        kill_tx.send(()).unwrap();
        wait();
        let mut conn = pool.get().unwrap();
        conn.ping().unwrap();
        assert_eq!(conn.get::<Option<i64>>("k").unwrap(), None, "a new server");
    });
    controller.join().unwrap();
}
