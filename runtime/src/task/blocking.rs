//! `spawn_blocking`: run a blocking function on the blocking pool while the
//! calling coroutine waits and the others run on.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::blocking::{pool, Outcome};
use crate::context;

/// Runs `f` on a pool thread and suspends the calling coroutine until it returns;
/// other coroutines keep running meanwhile. A panic in `f` continues in the caller.
///
/// Outside a runtime, `f` simply runs on the calling thread.
///
/// ```
/// use silly_runtime::{run, task};
/// let n = run(|| task::spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)));
/// assert!(n > 0);
/// ```
pub fn spawn_blocking<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let Some(cx) = context::try_current().filter(|cx| cx.scheduler.in_task()) else {
        return f();
    };
    let call = cx.blocking.start(context::waker());
    let completions = cx.blocking.completions();
    let (slot, id) = (call.slot, call.id);
    pool().submit(Box::new(move || {
        let outcome: Outcome =
            catch_unwind(AssertUnwindSafe(|| Box::new(f()) as Box<dyn Any + Send>));
        completions.push(slot, id, outcome);
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
