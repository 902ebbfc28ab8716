//! Deadlines over a block of code: the blocking call in it that is waiting
//! when the deadline passes is unwound.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::deadline::deadline;
use super::elapsed::Elapsed;
use crate::context::{self, ArmedTimer, TimerAction};
use crate::leaves::cell::{Interrupt, Interrupted};

/// Runs `f` in the calling coroutine with a deadline `duration` from now: if
/// `f` is still blocked when it passes, the blocking call it is in (a socket
/// read, a sleep, a channel receive, a lock, a join, anything that suspends)
/// does not return; `f` is unwound from there instead, its destructors run
/// (sockets close, locks release) and `timeout` returns `Err(Elapsed)`.
///
/// `f` is interrupted only where it suspends: code that computes without
/// blocking runs to its next blocking call (or [`task::yield_now`]). Timeouts
/// nest; when several pass, the outermost wins. A panic in `f` continues from
/// `timeout`. A duration too long for the clock to hold (`Duration::MAX`) is
/// no deadline (see [`deadline()`](super::deadline())).
///
/// Interruption unwinds like a panic, without a panic report: code in `f`
/// that catches unwinds must let it through, as [`task::catch_unwind`] does
/// (a bare `std::panic::catch_unwind` that swallows the unwind makes `f`
/// return normally instead).
///
/// [`task::yield_now`]: crate::task::yield_now
/// [`task::catch_unwind`]: crate::task::catch_unwind
///
/// ```
/// use silly_runtime::{run, sync, time};
/// use std::time::Duration;
///
/// run(|| {
///     let (_tx, rx) = sync::channel::<u32>();
///     let r = time::timeout(Duration::from_millis(20), || rx.recv());
///     assert!(r.is_err(), "nothing was sent in time");
///     assert_eq!(time::timeout(Duration::from_secs(1), || 7), Ok(7));
/// });
/// ```
///
/// # Panics
///
/// Panics outside a coroutine.
pub fn timeout<R>(duration: Duration, f: impl FnOnce() -> R) -> Result<R, Elapsed> {
    match deadline(Some(duration)) {
        Some(deadline) => timeout_at(deadline, f),
        // Longer than the clock can hold: no deadline, nothing to interrupt.
        None => {
            context::current_task();
            Ok(f())
        }
    }
}

/// [`timeout`] with the deadline as an instant.
pub fn timeout_at<R>(deadline: Instant, f: impl FnOnce() -> R) -> Result<R, Elapsed> {
    // Process-wide and increasing: an outer scope always has the smaller id.
    static NEXT_SCOPE: AtomicU64 = AtomicU64::new(1);
    let scope = NEXT_SCOPE.fetch_add(1, Ordering::Relaxed);
    let task = context::current_task();
    let cx = context::current();
    let target = Rc::downgrade(&task);
    let timer = ArmedTimer::arm(
        &cx,
        deadline,
        TimerAction::Call(Box::new(move || {
            if let Some(task) = target.upgrade() {
                context::interrupt(&task, Interrupt::Deadline(scope));
            }
        })),
    );
    let result = catch_unwind(AssertUnwindSafe(f));
    drop(timer);
    // Fired after `f`'s last suspension: nothing left to interrupt.
    task.withdraw_deadline(scope);
    match result {
        Ok(value) => Ok(value),
        Err(payload) => match payload.downcast_ref::<Interrupted>() {
            Some(Interrupted(Interrupt::Deadline(s))) if *s == scope => Err(Elapsed),
            _ => resume_unwind(payload),
        },
    }
}
