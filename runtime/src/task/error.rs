//! Why a task gave no value, and why `unpark` did nothing.

use std::any::Any;
use std::fmt;

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

    /// Always false: a task's failure is not a timeout, even when a timeout
    /// inside it was what ended it (see [`JoinTimeoutError`](super::JoinTimeoutError)
    /// for a join that timed out). Every error type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
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

/// Why [`Task::unpark`](super::Task::unpark) did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnparkError {
    /// The task is not waiting in [`park`](super::park).
    NotParked,
    /// The task has ended.
    Finished,
}

impl UnparkError {
    /// Always false: `unpark` never waits. Every error type of silly-rs
    /// answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for UnparkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnparkError::NotParked => f.write_str("task is not parked in task::park"),
            UnparkError::Finished => f.write_str("task has finished"),
        }
    }
}

impl std::error::Error for UnparkError {}
