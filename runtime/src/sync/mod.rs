//! Synchronisation between the coroutines of one runtime (silly's `silly.sync`).
//!
//! All of these suspend the calling coroutine instead of blocking the thread,
//! serve waiters first-come first-served, and are `!Send`: they coordinate tasks
//! of one runtime, which all run on one thread.
//!
//! ```
//! use silly_runtime::{run, sync, task};
//!
//! run(|| {
//!     let (tx, rx) = sync::channel();
//!     let wg = sync::WaitGroup::new();
//!     for i in 0..3 {
//!         let tx = tx.clone();
//!         wg.fork(move || tx.send(i).unwrap());
//!     }
//!     wg.wait();
//!     drop(tx); // last sender gone: the channel closes once drained
//!     let got: Vec<i32> = std::iter::from_fn(|| rx.recv().ok()).collect();
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

mod channel;
mod error;
mod mutex;
mod notify;
pub mod remote;
mod select;
pub(crate) mod selectable;
mod semaphore;
mod wait_group;
mod wait_list;

pub use self::channel::{bounded, channel, Receiver, Sender};
pub use self::error::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
pub use self::mutex::{Mutex, MutexGuard};
pub use self::notify::Notify;
pub use self::select::Select;
pub use self::selectable::{SelectWaiter, Selectable, Watch};
pub use self::semaphore::{Semaphore, SemaphorePermit};
pub use self::wait_group::WaitGroup;
