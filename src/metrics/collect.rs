//! Gathering the counts: of this runtime ([`local`]), of every runtime
//! ([`collect`]).

use silly_net::metrics::NetMetrics;
use silly_redis::metrics::RedisMetrics;
use silly_websocket::metrics::WebSocketMetrics;

use silly_runtime::metrics::{blocking_queue, loop_turns, HistogramSnapshot};

/// The runtime's own counts, of one runtime or summed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct RuntimeMetrics {
    /// Runtimes summed here.
    pub runtimes: u64,
    /// Live coroutines.
    pub coroutines: u64,
    /// Coroutines in the ready queue.
    pub ready_coroutines: u64,
    /// `spawn_blocking` calls whose result has not been taken.
    pub blocking_calls: u64,
    /// Loop turn times (empty until [`enable`](silly_runtime::metrics::enable)).
    pub loop_turns: HistogramSnapshot,
}

impl std::ops::Add for RuntimeMetrics {
    type Output = RuntimeMetrics;

    fn add(self, o: RuntimeMetrics) -> RuntimeMetrics {
        RuntimeMetrics {
            runtimes: self.runtimes + o.runtimes,
            coroutines: self.coroutines + o.coroutines,
            ready_coroutines: self.ready_coroutines + o.ready_coroutines,
            blocking_calls: self.blocking_calls + o.blocking_calls,
            loop_turns: self.loop_turns + o.loop_turns,
        }
    }
}

/// Every crate's counts, of one runtime or summed over the process's
/// ([`collect`]).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Metrics {
    /// The runtimes'.
    pub runtime: RuntimeMetrics,
    /// Jobs waiting in the default blocking pool: one number for the
    /// process, not summed.
    pub blocking_queue: u64,
    /// `silly::net`'s: connections, bytes, HTTP.
    pub net: NetMetrics,
    /// `silly::net::websocket`'s: sockets, messages, close codes, hubs.
    pub websocket: WebSocketMetrics,
    /// `silly::redis`'s.
    pub redis: RedisMetrics,
}

impl std::ops::Add for Metrics {
    type Output = Metrics;

    fn add(self, o: Metrics) -> Metrics {
        Metrics {
            runtime: self.runtime + o.runtime,
            blocking_queue: self.blocking_queue.max(o.blocking_queue),
            net: self.net + o.net,
            websocket: self.websocket + o.websocket,
            redis: self.redis + o.redis,
        }
    }
}

/// The counts of the runtime on this thread.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn local() -> Metrics {
    let stats = crate::stats();
    Metrics {
        runtime: RuntimeMetrics {
            runtimes: 1,
            coroutines: stats.live_tasks as u64,
            ready_coroutines: stats.ready_tasks as u64,
            blocking_calls: stats.blocking_calls as u64,
            loop_turns: loop_turns(),
        },
        blocking_queue: blocking_queue() as u64,
        net: silly_net::metrics::snapshot(),
        websocket: silly_websocket::metrics::snapshot(),
        redis: silly_redis::metrics::snapshot(),
    }
}

/// The counts of every runtime started together with the caller's, summed:
/// each runtime is asked on its own thread (through
/// [`task::spawn_on`](crate::task::spawn_on)); one that stopped gives
/// nothing.
///
/// # Panics
///
/// Panics outside a coroutine.
///
/// # Interrupts
///
/// Whole: nothing is changed by a collect; an interrupted one leaves the
/// requests it sent to finish on their runtimes, their answers dropped.
pub fn collect() -> Metrics {
    let me = crate::runtime_index();
    crate::runtimes()
        .iter()
        .map(|runtime| {
            if runtime.index() == me {
                local()
            } else {
                crate::task::spawn_on(runtime, local)
                    .join()
                    .unwrap_or_default()
            }
        })
        .fold(Metrics::default(), |total, m| total + m)
}
