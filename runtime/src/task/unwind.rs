//! Catching a panic without catching the runtime's own unwinds.

use super::current::try_current;
use crate::leaves::cell::Interrupted;

/// Runs `f`, catching a panic in it like [`std::panic::catch_unwind`], except
/// the unwinding the runtime itself starts: dropping suspended coroutines at
/// shutdown, [`Task::cancel`](super::Task::cancel) and [`time::timeout`](crate::time::timeout).
/// Those pass through, as they must reach the task's root or the timeout.
///
/// Servers use this to turn a handler's panic into an error response.
///
/// ```
/// silly_runtime::run(|| {
///     let r = silly_runtime::task::catch_unwind(|| panic!("handler bug"));
///     assert!(r.is_err());
/// });
/// ```
pub fn catch_unwind<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Err(payload)
            if payload.is::<Interrupted>()
                || try_current().is_some_and(|t| t.0.unwinding.get()) =>
        {
            std::panic::resume_unwind(payload)
        }
        other => other,
    }
}
