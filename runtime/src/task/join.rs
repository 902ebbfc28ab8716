//! Waiting for a task's result.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::error::JoinError;
use super::handle::Task;
use crate::context;
use crate::leaves::cell::Waker;
use crate::time::deadline::deadline;

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

    /// [`join`](Self::join), waiting at most `timeout`.
    ///
    /// Like every timed wait of silly-rs it returns `Result<T, E>` where `E`
    /// answers [`is_timeout`](JoinTimeoutError::is_timeout). The handle is
    /// taken by value, as by `join`, so a task's result can be taken only
    /// once; a timeout gives it back inside the error
    /// ([`JoinTimeoutError::into_handle`]): the task runs on, and the caller
    /// joins again or [`cancel`](super::Task::cancel)s it.
    ///
    /// ```
    /// use silly_runtime::{run, task, time};
    /// use std::time::Duration;
    ///
    /// run(|| {
    ///     let slow = task::fork(|| time::sleep(Duration::from_secs(60)));
    ///     let err = slow.join_timeout(Duration::from_millis(10)).unwrap_err();
    ///     assert!(err.is_timeout());
    ///     let slow = err.into_handle().unwrap();
    ///     slow.task().cancel();
    ///     assert!(slow.join().unwrap_err().is_cancelled());
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`JoinTimeoutError::Timeout`] with the handle if the task has not ended
    /// by then, [`JoinTimeoutError::Failed`] if it ended without a value (as
    /// `join`'s [`JoinError`]).
    ///
    /// # Interrupts
    ///
    /// As for [`join`](Self::join): the handle is dropped, the task runs on. A timeout
    /// of this call's own gives the handle back instead.
    pub fn join_timeout(self, timeout: Duration) -> Result<T, JoinTimeoutError<T>> {
        self.join_before(deadline(Some(timeout)))
    }

    /// [`join_timeout`](Self::join_timeout) with the deadline as an instant.
    ///
    /// # Errors
    ///
    /// As [`join_timeout`](Self::join_timeout).
    ///
    /// # Interrupts
    ///
    /// As for [`join_timeout`](Self::join_timeout).
    pub fn join_until(self, deadline: Instant) -> Result<T, JoinTimeoutError<T>> {
        self.join_before(Some(deadline))
    }

    fn join_before(self, deadline: Option<Instant>) -> Result<T, JoinTimeoutError<T>> {
        loop {
            if let Some(outcome) = self.state.result.borrow_mut().take() {
                return outcome.map_err(JoinTimeoutError::Failed);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(JoinTimeoutError::Timeout(self));
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

/// Why [`JoinHandle::join_timeout`] (or `join_until`) gave no value.
pub enum JoinTimeoutError<T> {
    /// The task had not ended by the deadline; it runs on. Here is its
    /// handle, to join again or cancel it.
    Timeout(JoinHandle<T>),
    /// The task ended without a value, as [`JoinHandle::join`] reports it.
    Failed(JoinError),
}

impl<T> JoinTimeoutError<T> {
    /// Whether the deadline passed first (the task runs on).
    pub fn is_timeout(&self) -> bool {
        matches!(self, JoinTimeoutError::Timeout(_))
    }

    /// The handle of the task that had not ended in time; `None` if it ended
    /// without a value.
    pub fn into_handle(self) -> Option<JoinHandle<T>> {
        match self {
            JoinTimeoutError::Timeout(handle) => Some(handle),
            JoinTimeoutError::Failed(_) => None,
        }
    }

    /// Why the task ended without a value; `None` if it had not ended in time.
    pub fn into_join_error(self) -> Option<JoinError> {
        match self {
            JoinTimeoutError::Timeout(_) => None,
            JoinTimeoutError::Failed(error) => Some(error),
        }
    }
}

impl<T> fmt::Debug for JoinTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinTimeoutError::Timeout(handle) => f.debug_tuple("Timeout").field(handle).finish(),
            JoinTimeoutError::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
        }
    }
}

impl<T> fmt::Display for JoinTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinTimeoutError::Timeout(handle) => {
                write!(
                    f,
                    "task {} did not end before the deadline",
                    handle.task().id()
                )
            }
            JoinTimeoutError::Failed(error) => error.fmt(f),
        }
    }
}

impl<T> std::error::Error for JoinTimeoutError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JoinTimeoutError::Timeout(_) => None,
            JoinTimeoutError::Failed(error) => Some(error),
        }
    }
}
