//! The Redis workload (see `silly_bench::redis_load`) on the `redis` crate's
//! own async client, on a Tokio current_thread runtime (one thread, as
//! silly-rs): a task per client, each with its own multiplexed connection.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use silly_bench::redis_load::{RedisLoad, VALUE};

fn main() {
    let load = RedisLoad::from_args();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let client = redis::Client::open(load.url.as_str()).expect("url");
        // silly-redis's default read timeout (redis-rs's is 500 ms, which a
        // loaded machine exceeds).
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(silly::redis::DEFAULT_READ_TIMEOUT));
        let ops = Rc::new(Cell::new(0u64));
        let start = Instant::now();
        let deadline = start + load.duration;
        let mut tasks = Vec::new();
        for i in 0..load.clients {
            let mut conn = client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .expect("connection");
            let (ops, pipeline) = (ops.clone(), load.pipeline);
            tasks.push(tokio::task::spawn_local(async move {
                let key = RedisLoad::key(i);
                let mut set = redis::cmd("SET");
                set.arg(&key).arg(VALUE);
                let mut get = redis::cmd("GET");
                get.arg(&key);
                let mut pipe = redis::pipe();
                for n in 0..pipeline {
                    pipe.add_command(if n % 2 == 0 { set.clone() } else { get.clone() });
                }
                while Instant::now() < deadline {
                    if pipeline == 1 {
                        set.query_async::<()>(&mut conn).await.expect("SET");
                        let value: Vec<u8> = get.query_async(&mut conn).await.expect("GET");
                        assert_eq!(value, VALUE);
                        ops.set(ops.get() + 2);
                    } else {
                        let replies: Vec<redis::Value> =
                            pipe.query_async(&mut conn).await.expect("pipeline");
                        ops.set(ops.get() + replies.len() as u64);
                    }
                }
            }));
        }
        for t in tasks {
            t.await.expect("client");
        }
        load.report("redis-rs tokio", ops.get(), start.elapsed());
    });
}
