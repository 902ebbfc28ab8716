//! A task's stackful coroutine: corosensei does the stack switching; this file
//! keeps the one raw pointer that lets any code running in a coroutine suspend it.

use std::cell::Cell;

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{CoroutineResult, Yielder};

use crate::runtime::Runtime;
use crate::stack::page_size;
use crate::task::TaskCell;

/// What a task runs: called once on its coroutine's stack with `Ok(())`, or on the
/// scheduler's stack with `Err(reason)` when the coroutine could not be created, so
/// the task's `JoinHandle` learns why it never ran.
pub(crate) type Entry = Box<dyn FnOnce(Result<(), String>)>;

/// Where a running coroutine's `Yielder` lives, so deep code can suspend it.
pub(crate) type YielderSlot = Cell<*const Yielder<(), ()>>;

pub(crate) struct Coroutine {
    raw: corosensei::Coroutine<(), (), (), DefaultStack>,
    /// The guard page below the stack, as `[start, end)`, for the overflow reporter.
    guard: (usize, usize),
    stack_size: usize,
}

impl Coroutine {
    pub(crate) fn new(stack: DefaultStack, entry: Entry) -> Self {
        let limit = stack.limit().get();
        let guard = (limit, limit + page_size());
        let stack_size = stack.base().get() - guard.1;
        let raw = corosensei::Coroutine::with_stack(stack, move |yielder: &Yielder<(), ()>, ()| {
            let task = Runtime::current()
                .scheduler
                .current()
                .expect("a coroutine starts only from the scheduler");
            task.yielder.set(yielder as *const Yielder<(), ()>);
            drop(task);
            entry(Ok(()));
        });
        Coroutine {
            raw,
            guard,
            stack_size,
        }
    }

    /// Switches into the coroutine until it suspends (`false`) or returns (`true`).
    pub(crate) fn resume(&mut self) -> bool {
        matches!(self.raw.resume(()), CoroutineResult::Return(()))
    }

    /// Suspends `task`'s coroutine, which must be the one running on this thread.
    pub(crate) fn suspend_current(task: &TaskCell) {
        let yielder = task.yielder.get();
        assert!(
            !yielder.is_null(),
            "silly: suspend outside a started coroutine"
        );
        // SAFETY: `yielder` was stored by the body closure of this task's coroutine
        // (see `new`) and points into that closure's frame on the coroutine stack.
        // The scheduler only calls this for the task it is running, so that closure
        // is still executing (possibly unwinding) and the frame, with the Yielder in
        // it, is alive. The pointer never leaves this thread: `TaskCell` is `!Send`.
        unsafe { (*yielder).suspend(()) }
    }

    pub(crate) fn guard_range(&self) -> (usize, usize) {
        self.guard
    }

    /// Usable bytes of the stack, without the guard page.
    pub(crate) fn stack_size(&self) -> usize {
        self.stack_size
    }

    /// Gives back the stack of a coroutine that has returned.
    pub(crate) fn into_stack(self) -> DefaultStack {
        self.raw.into_stack()
    }
}
