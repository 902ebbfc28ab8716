//! Waiting for a task's result.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::cell::Waker;
use super::Task;
use crate::context;

/// The outcome slot shared by a task and its [`JoinHandle`].
pub(crate) struct JoinState<T> {
    result: RefCell<Option<Result<T, JoinError>>>,
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

    pub(crate) fn complete(&self, outcome: Result<T, JoinError>) {
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
    ///
    /// # Interrupts
    ///
    /// The handle is dropped with the unwind: the task runs on, detached, and its
    /// result is dropped. To keep the handle, wait with
    /// [`join_timeout`](Self::join_timeout).
    pub fn join(self) -> Result<T, JoinError> {
        loop {
            if let Some(outcome) = self.state.result.borrow_mut().take() {
                return outcome;
            }
            *self.state.waiter.borrow_mut() = Some(context::waker());
            context::park();
        }
    }

    /// [`join`](Self::join), waiting at most `timeout`: `Err(self)` gives the
    /// handle back if the task has not ended by then (it runs on; join again,
    /// or [`cancel`](super::Task::cancel) it).
    ///
    /// ```
    /// use silly_runtime::{run, task, time};
    /// use std::time::Duration;
    ///
    /// run(|| {
    ///     let slow = task::fork(|| time::sleep(Duration::from_secs(60)));
    ///     let slow = slow.join_timeout(Duration::from_millis(10)).unwrap_err();
    ///     slow.task().cancel();
    ///     assert!(slow.join().unwrap_err().is_cancelled());
    /// });
    /// ```
    ///
    /// # Interrupts
    ///
    /// As for [`join`](Self::join): the handle is dropped, the task runs on. A timeout
    /// of this call's own gives the handle back instead.
    pub fn join_timeout(self, timeout: Duration) -> Result<Result<T, JoinError>, Self> {
        self.join_before(crate::time::deadline(Some(timeout)))
    }

    /// [`join_timeout`](Self::join_timeout) with the deadline as an instant.
    ///
    /// # Interrupts
    ///
    /// As for [`join_timeout`](Self::join_timeout).
    pub fn join_until(self, deadline: Instant) -> Result<Result<T, JoinError>, Self> {
        self.join_before(Some(deadline))
    }

    fn join_before(self, deadline: Option<Instant>) -> Result<Result<T, JoinError>, Self> {
        loop {
            if let Some(outcome) = self.state.result.borrow_mut().take() {
                return Ok(outcome);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(self);
            }
            *self.state.waiter.borrow_mut() = Some(context::waker());
            context::park_until(deadline);
        }
    }

    /// Whether the task has ended (returned, panicked or was cancelled).
    pub fn is_finished(&self) -> bool {
        self.state.finished.get()
    }

    /// The task this handle waits for.
    pub fn task(&self) -> &Task {
        &self.task
    }

    pub(crate) fn try_take(&self) -> Option<Result<T, JoinError>> {
        self.state.result.borrow_mut().take()
    }
}

/// Why a task gave no value: it panicked, was cancelled, or could not start.
pub struct JoinError {
    task_id: u64,
    cause: Cause,
}

enum Cause {
    Panic(Box<dyn Any + Send>),
    Cancelled,
    NotStarted(String),
}

impl JoinError {
    pub(crate) fn panic(task_id: u64, payload: Box<dyn Any + Send>) -> Self {
        JoinError {
            task_id,
            cause: Cause::Panic(payload),
        }
    }

    pub(crate) fn cancelled(task_id: u64) -> Self {
        JoinError {
            task_id,
            cause: Cause::Cancelled,
        }
    }

    pub(crate) fn not_started(task_id: u64, reason: String) -> Self {
        JoinError {
            task_id,
            cause: Cause::NotStarted(reason),
        }
    }

    /// Id of the task.
    pub fn task_id(&self) -> u64 {
        self.task_id
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.cause, Cause::Panic(_))
    }

    /// Whether the task was cancelled ([`Task::cancel`](super::Task::cancel)).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.cause, Cause::Cancelled)
    }

    /// The panic message, when the task panicked with a string (as `panic!`
    /// makes it), or why it could not start.
    pub fn message(&self) -> Option<&str> {
        match &self.cause {
            Cause::Panic(payload) => payload
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str)),
            Cause::NotStarted(reason) => Some(reason),
            Cause::Cancelled => None,
        }
    }

    /// The panic payload, to continue the panic with
    /// `std::panic::resume_unwind`. For a task that was cancelled or could not
    /// start, a `String` saying so.
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.cause {
            Cause::Panic(payload) => payload,
            Cause::Cancelled => Box::new(format!("task {} was cancelled", self.task_id)),
            Cause::NotStarted(reason) => Box::new(reason),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cause = match self.cause {
            Cause::Panic(_) => "panic",
            Cause::Cancelled => "cancelled",
            Cause::NotStarted(_) => "not started",
        };
        f.debug_struct("JoinError")
            .field("task_id", &self.task_id)
            .field("cause", &cause)
            .field("message", &self.message())
            .finish()
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.cause, self.message()) {
            (Cause::Cancelled, _) => write!(f, "task {} was cancelled", self.task_id),
            (Cause::NotStarted(reason), _) => {
                write!(f, "task {} could not start: {reason}", self.task_id)
            }
            (Cause::Panic(_), Some(m)) => write!(f, "task {} panicked: {}", self.task_id, m),
            (Cause::Panic(_), None) => write!(f, "task {} panicked", self.task_id),
        }
    }
}

impl std::error::Error for JoinError {}
