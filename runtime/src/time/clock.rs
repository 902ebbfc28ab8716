//! Clocks: wall time, the loop's time, a monotonic count.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::context;

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
/// deadlines use [`Instant::now`] ([`deadline`](super::deadline)), except
/// long ones that start very often ([`loop_deadline`](super::loop_deadline)).
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
    context::try_with(|cx| cx.loop_now.get()).unwrap_or_else(Instant::now)
}

/// Milliseconds on a clock that never goes back, counted from the first call in
/// this process (silly's `time.monotonic`). For durations, not for dates.
pub fn monotonic() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as u64
}
