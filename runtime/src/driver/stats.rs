//! Counts of what a runtime holds: for leak checks and monitoring.

use super::runtimes::{runtime_index, runtimes};
use crate::context;
use crate::task;

/// Counts of what a runtime holds at one moment, for leak checks and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Coroutines forked and not yet finished (the caller included).
    pub live_tasks: usize,
    /// Coroutines waiting in the ready queue.
    pub ready_tasks: usize,
    /// I/O sources registered with the reactor.
    pub registrations: usize,
    /// Timers armed and not yet fired or cancelled.
    pub timers: usize,
    /// `spawn_blocking` calls whose result has not been taken.
    pub blocking_calls: usize,
    /// Finished coroutines' stacks kept for reuse.
    pub idle_stacks: usize,
}

/// Counts of what the current runtime holds.
///
/// # Panics
///
/// Panics when called outside [`run`](crate::run).
pub fn stats() -> Stats {
    context::with(|cx| Stats {
        live_tasks: cx.scheduler.live_tasks(),
        ready_tasks: cx.scheduler.ready().len(),
        registrations: cx.reactor.len(),
        timers: cx.timers.borrow().len() + cx.reactor.deadline_timers(),
        blocking_calls: cx.blocking.pending(),
        idle_stacks: cx.scheduler.idle_stacks(),
    })
}

/// [`stats`] of every runtime started together with the caller's, by index
/// (each asked on its own thread through [`task::spawn_on`]: that request
/// counts as a live task there). Sum them for the process:
/// `stats_all().into_iter().sum::<Stats>()`.
///
/// # Panics
///
/// Panics outside a coroutine.
pub fn stats_all() -> Vec<Stats> {
    let me = runtime_index();
    runtimes()
        .iter()
        .map(|runtime| {
            if runtime.index() == me {
                stats()
            } else {
                // A runtime that stopped holds nothing.
                task::spawn_on(runtime, stats).join().unwrap_or_default()
            }
        })
        .collect()
}

impl std::iter::Sum for Stats {
    fn sum<I: Iterator<Item = Stats>>(iter: I) -> Stats {
        iter.fold(Stats::default(), |total, s| Stats {
            live_tasks: total.live_tasks + s.live_tasks,
            ready_tasks: total.ready_tasks + s.ready_tasks,
            registrations: total.registrations + s.registrations,
            timers: total.timers + s.timers,
            blocking_calls: total.blocking_calls + s.blocking_calls,
            idle_stacks: total.idle_stacks + s.idle_stacks,
        })
    }
}
