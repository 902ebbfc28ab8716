//! What this crate counts for monitoring, per runtime (see
//! [`silly_runtime::metrics`]): commands sent, pool checkouts that had to
//! wait, and messages the hub backplane dropped. [`snapshot`] reads the
//! calling runtime's counts; `silly::metrics` sums every runtime's and
//! exports them.
//!
//! ```
//! let counts = silly_runtime::run(silly_redis::metrics::snapshot);
//! assert_eq!(counts, silly_redis::metrics::RedisMetrics::default());
//! ```

use silly_runtime::metrics::Counter;

thread_local! {
    static COMMANDS: Counter = const { Counter::new() };
    static POOL_GETS: Counter = const { Counter::new() };
    static POOL_WAITS: Counter = const { Counter::new() };
    static BACKPLANE_DROPPED: Counter = const { Counter::new() };
}

/// The counts of the runtime that took it (see the [module](self)), summed
/// over runtimes with `+`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisMetrics {
    /// Commands written to servers (a pipeline counts each of its commands).
    pub commands: u64,
    /// [`Pool::get`](crate::Pool::get) calls.
    pub pool_gets: u64,
    /// Those that found every connection taken and waited for one.
    pub pool_waits: u64,
    /// Messages the `HubBackplane` (feature `hub`) dropped: the sum of its
    /// `BackplaneStats::dropped`.
    pub backplane_dropped: u64,
}

impl std::ops::Add for RedisMetrics {
    type Output = RedisMetrics;

    fn add(self, o: RedisMetrics) -> RedisMetrics {
        RedisMetrics {
            commands: self.commands + o.commands,
            pool_gets: self.pool_gets + o.pool_gets,
            pool_waits: self.pool_waits + o.pool_waits,
            backplane_dropped: self.backplane_dropped + o.backplane_dropped,
        }
    }
}

/// The calling runtime's counts (each runtime is a thread: another
/// runtime's are read on its own thread, as `silly::metrics` does).
pub fn snapshot() -> RedisMetrics {
    RedisMetrics {
        commands: COMMANDS.with(Counter::get),
        pool_gets: POOL_GETS.with(Counter::get),
        pool_waits: POOL_WAITS.with(Counter::get),
        backplane_dropped: BACKPLANE_DROPPED.with(Counter::get),
    }
}

/// `n` commands were written.
pub(crate) fn commands(n: usize) {
    COMMANDS.with(|c| c.add(n as u64));
}

/// A pool checkout; `waits`: no connection was free.
pub(crate) fn pool_get(waits: bool) {
    POOL_GETS.with(|c| c.add(1));
    if waits {
        POOL_WAITS.with(|c| c.add(1));
    }
}

/// The backplane dropped `n` messages.
#[cfg_attr(not(feature = "hub"), allow(dead_code))]
pub(crate) fn backplane_dropped(n: u64) {
    BACKPLANE_DROPPED.with(|c| c.add(n));
}
