//! Sleeping, timers and clocks (silly's `silly.time`).
//!
//! ```
//! use silly_runtime::{run, time};
//! use std::time::Duration;
//!
//! run(|| {
//!     let t0 = time::monotonic();
//!     time::sleep(Duration::from_millis(20));
//!     assert!(time::monotonic() - t0 >= 20);
//!
//!     let timer = time::after(Duration::from_secs(3600), || unreachable!());
//!     assert!(timer.cancel());
//! });
//! ```

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::runtime::Runtime;
use crate::task::cell::{park_internal, Waker};
use crate::timer::{Action, TimerGuard, TimerKey};

/// Suspends the calling coroutine for at least `duration` (1 ms resolution).
/// A zero duration yields: the task runs again after those already ready.
///
/// # Panics
///
/// Panics outside a coroutine.
pub fn sleep(duration: Duration) {
    if duration.is_zero() {
        crate::task::yield_now();
        return;
    }
    sleep_until(Instant::now() + duration);
}

/// Suspends the calling coroutine until `deadline` has passed.
pub fn sleep_until(deadline: Instant) {
    let rt = Runtime::current();
    while Instant::now() < deadline && !crate::task::cell::unwinding() {
        let _timer = TimerGuard::arm(&rt, deadline, Action::Wake(Waker::current()));
        park_internal();
    }
}

/// Runs `f` in a new coroutine once `delay` has passed, unless the returned
/// [`Timer`] is cancelled first. A zero delay fires on the loop's next turn.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn after(delay: Duration, f: impl FnOnce() + 'static) -> Timer {
    at(Instant::now() + delay, f)
}

/// Runs `f` in a new coroutine once `deadline` has passed (see [`after`]). Timers
/// with the same deadline fire in the order they were armed.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn at(deadline: Instant, f: impl FnOnce() + 'static) -> Timer {
    let rt = Runtime::current();
    let key = rt
        .timers
        .borrow_mut()
        .insert(deadline, Action::Spawn(Box::new(f)));
    Timer {
        key,
        runtime_id: rt.id,
    }
}

/// A callback armed with [`after`]. Dropping it does not cancel it.
#[derive(Debug)]
pub struct Timer {
    key: TimerKey,
    runtime_id: u64,
}

impl Timer {
    /// Cancels the callback. Returns `true` if it had not fired yet (it now never
    /// will), `false` if it already fired or was cancelled: then nothing happens.
    pub fn cancel(&self) -> bool {
        let Some(rt) = Runtime::try_current().filter(|rt| rt.id == self.runtime_id) else {
            return false; // its runtime has ended
        };
        let action = rt.timers.borrow_mut().cancel(self.key);
        action.is_some()
    }
}

/// Wall-clock time in milliseconds since the Unix epoch (silly's `time.now`).
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The time the event loop last came back from waiting for I/O: the same value
/// for every task that runs in one turn of the loop, read from the clock once
/// per turn (libuv's `uv_now`). It lags the real time by as long as the tasks
/// before the caller ran in this turn: microseconds under network load, longer
/// after a task that computed for long without suspending. For timestamps that
/// tolerate that, read many times per turn (an HTTP `Date`, a cache's age);
/// deadlines use [`Instant::now`].
///
/// Outside [`run`](crate::run), it is `Instant::now()`.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// silly_runtime::run(|| {
///     let before = Instant::now();
///     silly_runtime::time::sleep(Duration::from_millis(5));
///     // The loop woke up for the timer: its clock moved past it.
///     assert!(silly_runtime::time::loop_now() >= before + Duration::from_millis(5));
/// });
/// ```
pub fn loop_now() -> Instant {
    Runtime::try_with(|rt| rt.loop_now.get()).unwrap_or_else(Instant::now)
}

/// Milliseconds on a clock that never goes back, counted from the first call in
/// this process (silly's `time.monotonic`). For durations, not for dates.
pub fn monotonic() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as u64
}
