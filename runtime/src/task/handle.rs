//! `Task`: a handle to a task, by which it is woken or cancelled.

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use super::error::UnparkError;
use crate::context;
use crate::leaves::cell::{Interrupt, Park, State, TaskCell};

/// A handle to a task: its id, and the [`unpark`](Task::unpark) that ends its
/// [`park`](super::park). Cheap to clone; keeps no task alive beyond its end.
#[derive(Clone)]
pub struct Task(pub(crate) Rc<TaskCell>);

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.0.id)
            .field("name", &self.0.name)
            .finish()
    }
}

impl PartialEq for Task {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Task {}

impl Task {
    /// The task's id, unique within its runtime; the main task is 1.
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The name given with [`Builder::name`](super::Builder::name), if any.
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.0.state.get() == State::Done
    }

    /// Wakes the task from [`park`](super::park), which returns `value` (silly's `task.wakeup`).
    /// The task runs after the tasks already ready.
    ///
    /// # Errors
    ///
    /// [`UnparkError::NotParked`] if the task is not in `park` (it runs, is ready,
    /// or waits inside the runtime: on I/O, a timer, a lock), and
    /// [`UnparkError::Finished`] if it has ended. Nothing changes then.
    pub fn unpark<V: Any>(&self, value: V) -> Result<(), UnparkError> {
        match self.0.state.get() {
            State::Parked(Park::User) => {
                *self.0.unpark_value.borrow_mut() = Some(Box::new(value));
                let cell = &self.0;
                cell.park_seq.set(cell.park_seq.get().wrapping_add(1));
                context::with(|cx| cx.scheduler.ready().push(cell.clone()));
                Ok(())
            }
            State::Done => Err(UnparkError::Finished),
            _ => Err(UnparkError::NotParked),
        }
    }

    /// Cancels the task: the blocking call it waits in (I/O, sleep, channel,
    /// lock, join, [`park`](super::park)) or, if it is running or ready, the next one it
    /// makes does not return; the task is unwound from there instead, its
    /// destructors run (sockets close, locks release), and whoever joins it
    /// gets a [`JoinError`](super::JoinError) whose [`is_cancelled`](super::JoinError::is_cancelled) is
    /// true. A task that has not started yet never runs.
    ///
    /// The unwind is not a panic (no report is printed) and passes through
    /// [`catch_unwind`](super::catch_unwind). A task that computes without blocking is cancelled
    /// when it next blocks or yields. Cancelling a task that has finished, or
    /// was already cancelled, does nothing; a task may cancel itself.
    ///
    /// ```
    /// use silly_runtime::{run, sync, task};
    ///
    /// run(|| {
    ///     let (_tx, rx) = sync::channel::<u32>();
    ///     let waiter = task::fork(move || rx.recv());
    ///     task::yield_now(); // it starts and waits
    ///     waiter.task().cancel();
    ///     assert!(waiter.join().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn cancel(&self) {
        context::interrupt(&self.0, Interrupt::Cancel);
    }
}
