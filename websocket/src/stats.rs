//! What the sockets of a runtime have done that an operator counts: pings
//! sent for liveness, peers dropped as silent, peers dropped for sending too
//! fast. Per runtime (a [`runtime_local`](silly_runtime::runtime_local)), so
//! counts never cross into the next runtime on a thread; sum them across the
//! runtimes of a process with `Sum`.

use std::cell::Cell;

/// Counters of the sockets of the running runtime ([`stats`]), since it
/// started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketStats {
    /// Keepalive pings sent (`Config::ping_interval`).
    pub pings_sent: u64,
    /// Connections closed because the peer answered no ping in time
    /// (`Config::ping_timeout`, [`Error::PingTimeout`](crate::Error::PingTimeout)).
    pub ping_timeouts: u64,
    /// Connections failed with 1008 for more messages per second than
    /// `Config::max_messages_per_second`.
    pub rate_limited: u64,
}

/// What happened, to count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    PingSent,
    PingTimeout,
    RateLimited,
}

/// The running counts behind [`SocketStats`], one set per runtime.
#[derive(Default)]
struct Counters {
    pings_sent: Cell<u64>,
    ping_timeouts: Cell<u64>,
    rate_limited: Cell<u64>,
}

/// Counts `event` in the running runtime. Only the guards that a config
/// turned on call it, and only when they act: never per message.
pub(crate) fn count(event: Event) {
    let counters = silly_runtime::runtime_local(Counters::default);
    let cell = match event {
        Event::PingSent => &counters.pings_sent,
        Event::PingTimeout => &counters.ping_timeouts,
        Event::RateLimited => &counters.rate_limited,
    };
    cell.set(cell.get() + 1);
}

/// What the sockets of the running runtime have done so far (see
/// [`SocketStats`]). Each runtime counts its own: with several runtimes,
/// ask each (`silly_runtime::task::spawn_on`) and add them up.
///
/// ```
/// silly_runtime::run(|| {
///     let stats = silly_websocket::stats();
///     assert_eq!(stats.ping_timeouts, 0, "no socket yet");
///     let total: silly_websocket::SocketStats = [stats, stats].into_iter().sum();
///     assert_eq!(total.rate_limited, 0);
/// });
/// ```
///
/// # Panics
///
/// Panics outside `silly_runtime::run`.
pub fn stats() -> SocketStats {
    let counters = silly_runtime::runtime_local(Counters::default);
    SocketStats {
        pings_sent: counters.pings_sent.get(),
        ping_timeouts: counters.ping_timeouts.get(),
        rate_limited: counters.rate_limited.get(),
    }
}

impl std::iter::Sum for SocketStats {
    fn sum<I: Iterator<Item = SocketStats>>(iter: I) -> SocketStats {
        iter.fold(SocketStats::default(), |total, s| SocketStats {
            pings_sent: total.pings_sent + s.pings_sent,
            ping_timeouts: total.ping_timeouts + s.ping_timeouts,
            rate_limited: total.rate_limited + s.rate_limited,
        })
    }
}
