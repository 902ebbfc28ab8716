//! The Redis workload (see `silly_bench::redis_load`) on silly-redis: a
//! coroutine per client, connections from a `Pool` of `clients` connections.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use silly::redis::{cmd, Config, Pool};
use silly_bench::redis_load::{RedisLoad, VALUE};

fn main() {
    let load = RedisLoad::from_args();
    silly::run(move || {
        let config = Config::from_url(&load.url)
            .expect("url")
            .pool_size(load.clients);
        let pool = Pool::new(config).expect("pool");
        let ops = Rc::new(Cell::new(0u64));
        let start = Instant::now();
        let deadline = start + load.duration;
        let clients: Vec<_> = (0..load.clients)
            .map(|i| {
                let (pool, ops, pipeline) = (pool.clone(), ops.clone(), load.pipeline);
                silly::task::fork(move || {
                    let key = RedisLoad::key(i);
                    let set = cmd("SET").arg(&key).arg(VALUE);
                    let get = cmd("GET").arg(&key);
                    while Instant::now() < deadline {
                        let mut conn = pool.get().expect("connection");
                        if pipeline == 1 {
                            conn.query::<()>(&set).expect("SET");
                            let value: Vec<u8> = conn.query(&get).expect("GET");
                            assert_eq!(value, VALUE);
                            ops.set(ops.get() + 2);
                        } else {
                            let mut pipe = conn.pipeline();
                            for n in 0..pipeline {
                                pipe.add(if n % 2 == 0 { &set } else { &get });
                            }
                            let replies = pipe.query().expect("pipeline");
                            ops.set(ops.get() + replies.len() as u64);
                        }
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().expect("client");
        }
        load.report("silly-redis", ops.get(), start.elapsed());
    });
}
