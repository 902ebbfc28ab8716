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
mod current;
mod error;
mod handle;
mod join;
mod panic;
mod spawn_on;
mod unwind;

pub use self::blocking::spawn_blocking;
pub use self::builder::{fork, Builder};
pub use self::current::{current, park, trim_stack, try_current, yield_now};
pub use self::error::{JoinError, UnparkError};
pub use self::handle::Task;
pub use self::join::{JoinHandle, JoinTimeoutError};
pub use self::spawn_on::{spawn_on, RemoteJoinHandle};
pub use self::unwind::catch_unwind;
pub use crate::subsystems::pool::{BlockingPool, DEFAULT_BLOCKING_THREADS};

pub(crate) use self::current::park_forever;
pub(crate) use self::panic::install_panic_reporter;
