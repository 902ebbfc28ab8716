//! Callbacks run in a new coroutine at a time, cancellable.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::deadline::deadline;
use crate::context::{self, TimerAction};
use crate::leaves::timer::TimerKey;

/// Runs `f` in a new coroutine once `delay` has passed, unless the returned
/// [`Timer`] is cancelled first. A zero delay fires on the loop's next turn; one
/// too long for the clock to hold never fires.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn after(delay: Duration, f: impl FnOnce() + 'static) -> Timer {
    match deadline(Some(delay)) {
        Some(deadline) => at(deadline, f),
        // Longer than the clock can hold: a timer that never fires.
        None => context::with(|cx| Timer {
            key: None,
            runtime_id: cx.id,
            never_fired: Cell::new(true),
        }),
    }
}

/// Runs `f` in a new coroutine once `deadline` has passed (see [`after`]). Timers
/// with the same deadline fire in the order they were armed.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn at(deadline: Instant, f: impl FnOnce() + 'static) -> Timer {
    // The task is forked when the timer fires, from the loop.
    let fork = TimerAction::Call(Box::new(move || drop(crate::task::fork(f))));
    context::with(|cx| Timer {
        key: Some(cx.timers.borrow_mut().insert(deadline, fork)),
        runtime_id: cx.id,
        never_fired: Cell::new(true),
    })
}

/// A callback armed with [`after`]. Dropping it does not cancel it.
#[derive(Debug)]
pub struct Timer {
    /// `None`: a delay too long for the clock, never armed.
    key: Option<TimerKey>,
    runtime_id: u64,
    /// For a timer never armed: not cancelled yet.
    never_fired: Cell<bool>,
}

impl Timer {
    /// Cancels the callback. Returns `true` if it had not fired yet (it now never
    /// will), `false` if it already fired or was cancelled: then nothing happens.
    pub fn cancel(&self) -> bool {
        let Some(key) = self.key else {
            return self.never_fired.replace(false);
        };
        let cancelled = context::try_with(|cx| {
            // A runtime other than the timer's: its own has ended.
            let own = cx.id == self.runtime_id;
            own.then(|| cx.timers.borrow_mut().cancel(key)).flatten()
        })
        .flatten();
        // Dropped with no borrow held: the callback's captures may use timers.
        cancelled.is_some()
    }
}
