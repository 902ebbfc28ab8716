//! What the running task does to itself: find its handle, yield, park,
//! release stack pages.

use std::any::Any;

use super::handle::Task;
use crate::context;
use crate::leaves::cell::Park;

const OUTSIDE_COROUTINE: &str =
    "silly: this call must be made from a coroutine (inside silly::run)";

/// A handle to the running task.
///
/// # Panics
///
/// Panics outside a coroutine.
pub fn current() -> Task {
    Task(context::current_task())
}

/// A handle to the running task, or `None` outside a coroutine.
pub fn try_current() -> Option<Task> {
    context::try_current_task().map(Task)
}

/// Moves the running task to the back of the ready queue and lets the others run.
///
/// # Interrupts
///
/// Whole: nothing is touched.
pub fn yield_now() {
    // One look-up of the runtime: this runs once per switch in busy loops.
    let task = context::with(|cx| {
        let task = cx.scheduler.current().expect(OUTSIDE_COROUTINE);
        cx.scheduler.ready().push(task.clone());
        task
    });
    task.yield_now();
}

/// Suspends the running task until another calls [`Task::unpark`] on it, and
/// returns the value passed there (silly's `task.wait`).
///
/// Only `unpark` wakes a task parked here: timers, I/O and the sync primitives
/// never do. A task parked forever is unwound when the runtime stops.
///
/// ```
/// use silly_runtime::{run, task};
/// run(|| {
///     let me = task::current();
///     task::fork(move || me.unpark(5_u32).unwrap());
///     let v = task::park();
///     assert_eq!(v.downcast_ref::<u32>(), Some(&5));
/// });
/// ```
///
/// # Interrupts
///
/// Whole: a value `unpark` sent before the interrupt is returned (the interrupt waits
/// for the next blocking call); one sent after it is kept for the next `park`.
pub fn park() -> Box<dyn Any> {
    context::park_as(Park::User);
    let task = context::current_task();
    let value = task.unpark_value.borrow_mut().take();
    value.unwrap_or_else(|| Box::new(()))
}

/// Releases the memory of the running coroutine's stack below the current call:
/// pages a deep call path touched once (a handshake, a parser) and that the
/// coroutine will not need while it waits at a shallower depth.
///
/// A coroutine's touched stack pages otherwise stay resident for its whole life.
/// Long-lived connections call this once after their setup (the WebSocket
/// upgrade does); it costs one `madvise` system call. Outside a coroutine it does
/// nothing.
pub fn trim_stack() {
    crate::leaves::stack::trim_below_here();
}

/// Suspends the running task for good; used by [`exit`](crate::exit).
pub(crate) fn park_forever() -> ! {
    loop {
        context::park_as(Park::Forever);
    }
}
