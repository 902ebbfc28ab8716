//! Tasks: coroutines forked onto the current runtime.
//!
//! silly names map as `task.fork` -> [`fork`], `task.wait`/`task.wakeup` ->
//! [`park`]/[`Task::unpark`], `task.running` -> [`current`].
//!
//! ```
//! use silly_runtime::{run, task};
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! run(|| {
//!     let log = Rc::new(RefCell::new(Vec::new()));
//!     let l = log.clone();
//!     let child = task::fork(move || l.borrow_mut().push("child"));
//!     log.borrow_mut().push("parent"); // fork queues; the parent runs on first
//!     child.join().unwrap();
//!     assert_eq!(*log.borrow(), ["parent", "child"]);
//! });
//! ```

mod blocking;
mod builder;
pub(crate) mod cell;
mod error;
mod join;
mod panic;
mod spawn_on;

use std::any::Any;
use std::fmt;
use std::rc::Rc;

pub use self::blocking::spawn_blocking;
pub use self::builder::Builder;
pub use self::error::JoinError;
pub use self::join::{JoinHandle, JoinTimeoutError};
pub use self::spawn_on::{spawn_on, RemoteJoinHandle};
pub use crate::pool::{BlockingPool, DEFAULT_BLOCKING_THREADS};

pub(crate) use self::cell::{State, TaskCell};
pub(crate) use self::panic::install_panic_reporter;

use self::cell::{Interrupt, Interrupted, Park};

const OUTSIDE_COROUTINE: &str =
    "silly: this call must be made from a coroutine (inside silly::run)";
use crate::context;

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

/// Runs `f`, catching a panic in it like [`std::panic::catch_unwind`], except
/// the unwinding the runtime itself starts: dropping suspended coroutines at
/// shutdown, [`Task::cancel`] and [`time::timeout`](crate::time::timeout).
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

/// Releases the memory of the running coroutine's stack below the current call:
/// pages a deep call path touched once (a handshake, a parser) and that the
/// coroutine will not need while it waits at a shallower depth.
///
/// A coroutine's touched stack pages otherwise stay resident for its whole life.
/// Long-lived connections call this once after their setup (the WebSocket
/// upgrade does); it costs one `madvise` system call. Outside a coroutine it does
/// nothing.
pub fn trim_stack() {
    crate::stack::trim_below_here();
}

/// Suspends the running task for good; used by [`exit`](crate::exit).
pub(crate) fn park_forever() -> ! {
    loop {
        context::park_as(Park::Forever);
    }
}

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

/// A handle to a task: its id, and the [`unpark`](Task::unpark) that ends its
/// [`park`]. Cheap to clone; keeps no task alive beyond its end.
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

    /// The name given with [`Builder::name`], if any.
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.0.state.get() == State::Done
    }

    /// Wakes the task from [`park`], which returns `value` (silly's `task.wakeup`).
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
    /// lock, join, [`park`]) or, if it is running or ready, the next one it
    /// makes does not return; the task is unwound from there instead, its
    /// destructors run (sockets close, locks release), and whoever joins it
    /// gets a [`JoinError`] whose [`is_cancelled`](JoinError::is_cancelled) is
    /// true. A task that has not started yet never runs.
    ///
    /// The unwind is not a panic (no report is printed) and passes through
    /// [`catch_unwind`]. A task that computes without blocking is cancelled
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

/// Why [`Task::unpark`] did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnparkError {
    /// The task is not waiting in [`park`].
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
