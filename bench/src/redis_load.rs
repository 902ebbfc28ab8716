//! The Redis workload shared by `redis_silly` and `redis_tokio`: `clients`
//! concurrent clients, each on its own connection, alternating `SET` and `GET`
//! of a 3-byte value on a key of its own (as `redis-benchmark -t set,get`
//! with its default `-d 3`), one command per round trip or `pipeline` per
//! write, for `secs` seconds.
//!
//! ```text
//! redis_silly|redis_tokio URL [--clients N] [--pipeline P] [--secs S]
//! ```

use std::time::Duration;

/// The workload's parameters, from the command line.
#[derive(Debug, Clone)]
pub struct RedisLoad {
    /// `redis://host:port`.
    pub url: String,
    /// Concurrent clients, one connection each (default 100).
    pub clients: usize,
    /// Commands per write; 1 is one round trip per command (default 1).
    pub pipeline: usize,
    /// How long to run.
    pub duration: Duration,
}

impl RedisLoad {
    /// Reads the arguments after the program name.
    pub fn from_args() -> RedisLoad {
        let mut args = std::env::args().skip(1);
        let mut load = RedisLoad {
            url: args
                .next()
                .expect("usage: URL [--clients N] [--pipeline P] [--secs S]"),
            clients: 100,
            pipeline: 1,
            duration: Duration::from_secs(5),
        };
        while let Some(flag) = args.next() {
            let value: u64 = args.next().and_then(|v| v.parse().ok()).expect("a number");
            match flag.as_str() {
                "--clients" => load.clients = value as usize,
                "--pipeline" => load.pipeline = value.max(1) as usize,
                "--secs" => load.duration = Duration::from_secs(value),
                other => panic!("unknown flag {other}"),
            }
        }
        load
    }

    /// The key of client `i`.
    pub fn key(i: usize) -> String {
        format!("bench:key:{i}")
    }

    /// Prints the result line the harness script reads.
    pub fn report(&self, name: &str, ops: u64, elapsed: Duration) {
        println!(
            "{name} clients={} pipeline={} ops={ops} ops_per_sec={:.0}",
            self.clients,
            self.pipeline,
            ops as f64 / elapsed.as_secs_f64()
        );
    }
}

/// The value every `SET` writes.
pub const VALUE: &[u8] = b"xxx";
