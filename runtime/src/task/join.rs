//! Waiting for a task's result.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::cell::Waker;
use super::Task;
use crate::context;

/// The outcome slot shared by a task and its [`JoinHandle`].
pub(crate) struct JoinState<T> {
    result: RefCell<Option<Result<T, Panicked>>>,
    waiter: RefCell<Option<Waker>>,
    finished: std::cell::Cell<bool>,
}

impl<T> JoinState<T> {
    pub(crate) fn new() -> Self {
        JoinState {
            result: RefCell::new(None),
            waiter: RefCell::new(None),
            finished: std::cell::Cell::new(false),
        }
    }

    pub(crate) fn complete(&self, outcome: Result<T, Panicked>) {
        *self.result.borrow_mut() = Some(outcome);
        self.finished.set(true);
        let waiter = self.waiter.borrow_mut().take();
        if let Some(waiter) = waiter {
            context::wake(&waiter);
        }
    }
}

/// Owned permission to wait for a task started with [`fork`](super::fork) and take
/// its result. Dropping it detaches the task, which runs on.
pub struct JoinHandle<T> {
    pub(crate) state: Rc<JoinState<T>>,
    pub(crate) task: Task,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("task", &self.task)
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> JoinHandle<T> {
    /// Suspends the calling coroutine until the task ends; returns its value, or
    /// `Err` if it panicked.
    ///
    /// ```
    /// silly_runtime::run(|| {
    ///     let h = silly_runtime::task::fork(|| -> u32 { panic!("boom") });
    ///     let err = h.join().unwrap_err();
    ///     assert_eq!(err.message(), Some("boom"));
    /// });
    /// ```
    pub fn join(self) -> Result<T, Panicked> {
        loop {
            if let Some(outcome) = self.state.result.borrow_mut().take() {
                return outcome;
            }
            *self.state.waiter.borrow_mut() = Some(context::waker());
            context::park();
        }
    }

    /// Whether the task has ended (returned or panicked).
    pub fn is_finished(&self) -> bool {
        self.state.finished.get()
    }

    /// The task this handle waits for.
    pub fn task(&self) -> &Task {
        &self.task
    }

    pub(crate) fn try_take(&self) -> Option<Result<T, Panicked>> {
        self.state.result.borrow_mut().take()
    }
}

/// A task ended with a panic (or could not start). Holds the panic payload.
pub struct Panicked {
    task_id: u64,
    payload: Box<dyn Any + Send>,
}

impl Panicked {
    pub(crate) fn new(task_id: u64, payload: Box<dyn Any + Send>) -> Self {
        Panicked { task_id, payload }
    }

    /// Id of the task that panicked.
    pub fn task_id(&self) -> u64 {
        self.task_id
    }

    /// The panic message, when the payload is a string (as `panic!` makes it).
    pub fn message(&self) -> Option<&str> {
        if let Some(s) = self.payload.downcast_ref::<&'static str>() {
            Some(s)
        } else {
            self.payload.downcast_ref::<String>().map(String::as_str)
        }
    }

    /// The payload, to continue the panic with `std::panic::resume_unwind`.
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        self.payload
    }
}

impl fmt::Debug for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panicked")
            .field("task_id", &self.task_id)
            .field("message", &self.message())
            .finish()
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(m) => write!(f, "task {} panicked: {}", self.task_id, m),
            None => write!(f, "task {} panicked", self.task_id),
        }
    }
}

impl std::error::Error for Panicked {}
