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

use std::cell::Cell;
use std::fmt;
use std::io;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::context::{self, ArmedTimer, TimerAction};
use crate::task::cell::{Interrupt, Interrupted};
use crate::timer::TimerKey;

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
            own.then(|| cx.timers.borrow_mut().cancel(key))
                .flatten()
        })
        .flatten();
        // Dropped with no borrow held: the callback's captures may use timers.
        cancelled.is_some()
    }
}

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
/// no deadline (see [`deadline`]).
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

/// The instant a wait of `timeout` that starts now must end by, or `None`
/// when it never ends: no timeout, or one so long that the clock cannot hold
/// its end (a huge timeout means none, never a panic).
///
/// Every crate of silly-rs turns its `Option<Duration>` timeouts into
/// deadlines with this one function.
///
/// ```
/// use silly_runtime::time;
/// use std::time::{Duration, Instant};
///
/// assert!(time::deadline(Some(Duration::from_secs(1))).unwrap() > Instant::now());
/// assert_eq!(time::deadline(None), None);
/// assert_eq!(time::deadline(Some(Duration::MAX)), None);
/// ```
pub fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

/// The work given to [`timeout`] was still blocked at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl Elapsed {
    /// Always true: the one way a timed wait of this crate fails is its
    /// deadline. Every error type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        true
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
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
    context::try_with(|cx| cx.loop_now.get()).unwrap_or_else(Instant::now)
}

/// Milliseconds on a clock that never goes back, counted from the first call in
/// this process (silly's `time.monotonic`). For durations, not for dates.
pub fn monotonic() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as u64
}
