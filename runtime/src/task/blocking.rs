//! `spawn_blocking` and `BlockingPool::run`: run a blocking function on a pool
//! thread while the calling coroutine waits and the others run on.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::context;
use crate::subsystems::blocking::Outcome;
use crate::subsystems::pool::{BlockingPool, DEFAULT_POOL};

/// Runs `f` on a thread of the default [`BlockingPool`] and suspends the calling
/// coroutine until it returns; other coroutines keep running meanwhile. A panic
/// in `f` continues in the caller.
///
/// The default pool runs at most
/// [`Builder::blocking_threads`](crate::Builder::blocking_threads) jobs at once
/// (16 unless set); further calls queue. Outside a runtime, `f` simply runs on
/// the calling thread.
///
/// ```
/// use silly_runtime::{run, task};
/// let n = run(|| task::spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)));
/// assert!(n > 0);
/// ```
///
/// # Interrupts
///
/// The closure runs to its end on the pool (a thread cannot be unwound from outside);
/// its result is dropped when it arrives.
pub fn spawn_blocking<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    DEFAULT_POOL.run(f)
}

impl BlockingPool {
    /// Runs `f` on one of this pool's threads and suspends the calling coroutine
    /// until it returns, like [`spawn_blocking`] does on the default pool.
    /// Outside a runtime, `f` runs on the calling thread.
    ///
    /// # Interrupts
    ///
    /// As for [`spawn_blocking`]: the closure runs to its end, its result is dropped.
    pub fn run<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        run_on(self, f)
    }
}

fn run_on<F, R>(pool: &'static BlockingPool, f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let Some(cx) = context::try_current().filter(|cx| cx.scheduler.in_task()) else {
        return f();
    };
    let call = cx.blocking.start(context::waker());
    let inbox = cx.blocking.inbox();
    let (slot, id) = (call.slot, call.id);
    pool.submit(Box::new(move || {
        let outcome: Outcome =
            catch_unwind(AssertUnwindSafe(|| Box::new(f()) as Box<dyn Any + Send>));
        // Runs on the caller's loop; refused (and dropped here) if that
        // runtime has stopped meanwhile.
        let _ = inbox.post(Box::new(move || {
            context::with(|cx| cx.blocking.deliver(slot, id, outcome, cx.scheduler.ready()))
        }));
    }));
    let outcome = loop {
        context::park();
        if let Some(outcome) = cx.blocking.take(&call) {
            break outcome;
        }
        cx.blocking.rearm(&call, context::waker());
    };
    drop(call);
    match outcome {
        Ok(value) => *value
            .downcast::<R>()
            .expect("blocking result has the caller's type"),
        Err(payload) => resume_unwind(payload),
    }
}
