//! Options for one task.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::rc::Rc;

use super::error::JoinError;
use super::handle::Task;
use super::join::{JoinHandle, JoinState};
use crate::context::{self, Context};
use crate::leaves::cell::{Entry, Interrupted, Start, TaskCell};

/// Queues `f` to run in a new coroutine and returns a handle to join it.
///
/// The new task runs after the tasks already ready (FIFO); the caller goes on
/// until it blocks or yields. `f` need not be `Send`.
///
/// # Panics
///
/// Panics outside [`run`](crate::run).
pub fn fork<T, F>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + 'static,
    T: 'static,
{
    Builder::new().fork(f)
}

/// Forks a task with options: a name, a stack size of its own.
///
/// ```
/// use silly_runtime::{run, task};
/// run(|| {
///     let h = task::Builder::new()
///         .name("deep")
///         .stack_size(1024 * 1024)
///         .fork(|| task::current().name().map(str::to_owned));
///     assert_eq!(h.join().unwrap().as_deref(), Some("deep"));
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// No name, the runtime's default stack size.
    pub fn new() -> Self {
        Builder::default()
    }

    /// A name, shown by [`Task::name`] and in `Debug` output.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Usable stack bytes for this task, rounded up to whole pages (at least 16 KiB).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Queues `f` in a new coroutine; see [`fork`](super::fork).
    ///
    /// # Panics
    ///
    /// Panics outside [`run`](crate::run).
    pub fn fork<T, F>(self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + 'static,
        T: 'static,
    {
        context::with(|cx| self.fork_in(cx, f))
    }

    /// [`fork`](Self::fork) onto `cx`, which need not be installed yet (the
    /// driver creates the main task with this).
    pub(crate) fn fork_in<T, F>(self, cx: &Context, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + 'static,
        T: 'static,
    {
        let id = cx.scheduler.next_id();
        let state = Rc::new(JoinState::new());
        let outcome_slot = state.clone();
        let entry: Entry = Box::new(move |start: Start| {
            let outcome = match start {
                Start::NoStack(reason) => Err(JoinError::not_started(id, reason)),
                Start::Cancelled => Err(JoinError::cancelled(id)),
                Start::Run => match catch_unwind(AssertUnwindSafe(f)) {
                    Ok(value) => Ok(value),
                    Err(payload) => {
                        if context::unwinding() {
                            // Shutdown is unwinding this coroutine: not a panic of the
                            // task, and the unwind must reach the coroutine's root.
                            resume_unwind(payload);
                        }
                        if payload.is::<Interrupted>() {
                            // A cancel (or a deadline whose scope the user's own
                            // catch_unwind swallowed): the task ends cancelled.
                            Err(JoinError::cancelled(id))
                        } else {
                            Err(JoinError::panic(id, payload))
                        }
                    }
                },
            };
            outcome_slot.complete(outcome);
        });
        let cell = Rc::new(TaskCell::new(id, self.name, self.stack_size, entry));
        cx.scheduler.spawn(cell.clone());
        JoinHandle {
            state,
            task: Task(cell),
        }
    }
}
