//! Sleeping: a coroutine waits, the thread does not.

use std::time::{Duration, Instant};

use super::deadline::deadline;
use crate::context;

/// Suspends the calling coroutine for at least `duration` (1 ms resolution).
/// A zero duration yields: the task runs again after those already ready; one
/// too long for the clock to hold (`Duration::MAX`) sleeps until interrupted.
///
/// # Panics
///
/// Panics outside a coroutine.
///
/// # Interrupts
///
/// Whole: the sleep ends early; nothing else is touched.
pub fn sleep(duration: Duration) {
    if duration.is_zero() {
        crate::task::yield_now();
        return;
    }
    match deadline(Some(duration)) {
        Some(deadline) => sleep_until(deadline),
        // Longer than the clock can hold: only an interrupt ends it.
        None => {
            while !context::unwinding() {
                context::park_until(None);
            }
        }
    }
}

/// Suspends the calling coroutine until `deadline` has passed.
///
/// # Interrupts
///
/// Whole: the sleep ends early; nothing else is touched.
pub fn sleep_until(deadline: Instant) {
    while Instant::now() < deadline && !context::unwinding() {
        context::park_until(Some(deadline));
    }
}
