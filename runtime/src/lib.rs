//! The silly-rs runtime: one thread, stackful coroutines, a mio event loop.
//!
//! Code written for this runtime is plain blocking-style Rust. A call that would
//! block (a socket read, [`time::sleep`], [`sync::Mutex::lock`], [`task::JoinHandle::join`])
//! suspends the *coroutine* it runs in and lets the others run; the thread only
//! sleeps, in `epoll_wait`, when every coroutine waits.
//!
//! ```
//! use silly_runtime::{run, task, time};
//! use std::time::Duration;
//!
//! let total = run(|| {
//!     let a = task::fork(|| { time::sleep(Duration::from_millis(5)); 40 });
//!     let b = task::fork(|| 2);
//!     a.join().unwrap() + b.join().unwrap()
//! });
//! assert_eq!(total, 42);
//! ```
//!
//! # Model
//!
//! * [`run`] starts a runtime on the current thread and runs its closure as the
//!   first coroutine (the *main task*). It returns once that closure returns.
//! * [`task::fork`] queues a new coroutine at the back of the ready queue (silly
//!   order: the caller keeps running until it blocks or yields).
//! * Everything runs on one thread: closures need not be `Send`, shared state is
//!   `Rc`/`RefCell`, and a coroutine is never preempted, so there are no data races.
//!
//! # Pitfalls
//!
//! * **A blocking call blocks every coroutine.** `std::thread::sleep`,
//!   `std::net`, a slow `std::fs` call, a C library, a `std::sync::Mutex` held
//!   across something that blocks, or a long computation hold up the whole
//!   runtime. Use [`time::sleep`], the sockets of `silly-net`, [`sync::Mutex`],
//!   and [`task::spawn_blocking`] for the rest.
//! * **The blocking pool is bounded and shared** by the process's runtimes:
//!   [`Builder::blocking_threads`] jobs at once (16 by default), more queue.
//!   Work that must not queue behind them gets a [`task::BlockingPool`].
//! * **Stacks are fixed in size** ([`DEFAULT_STACK_SIZE`], 512 KiB; only touched
//!   pages cost memory). Recursion past it aborts with a clear message: give
//!   deep tasks more with [`task::Builder::stack_size`].
//! * **Interruption is an unwind.** [`task::Task::cancel`] and
//!   [`time::timeout`] unwind the task from where it blocks; a
//!   `std::panic::catch_unwind` that swallows every unwind defeats them, while
//!   [`task::catch_unwind`] lets them through.
//!
//! # Dependencies
//!
//! `mio` (the poller), `corosensei` (stack switching), `slab` (registrations
//! and timers by key), `libc` (stacks and the overflow handler), `log` (the
//! runtime's diagnostics reach the application's logger), `signal-hook` and
//! `signal-hook-mio` ([`signal`]: catching signals and waking the loop).
//!
//! # Inside
//!
//! The modules form layers, and no module imports one above it:
//!
//! * leaves, plain data that knows nothing of the runtime: `stack` (the stack
//!   pool), `coroutine` (stack switching only), `task::cell` (a task's state and
//!   its one-shot `Waker`), `ready` (the ready queue), `timer` (a timer heap),
//!   `overflow` (the stack-overflow reporter);
//! * subsystems built on them: `scheduler` (runs ready tasks, owns the stacks),
//!   `reactor` (mio, readiness, waiters, I/O deadlines; it wakes into a ready
//!   queue it is handed), `blocking` (a runtime's blocking calls and their
//!   completions, given a `mio::Waker`), `pool` (process-wide thread pools);
//! * `context`, which composes them into one runtime, owns the thread-local, and
//!   is the only way the API layer reaches the runtime;
//! * the API layer: [`io`], [`time`], [`task`], [`sync`];
//! * the driver (`runtime`): [`run`], the loop, timer firing, shutdown.
//!
//! `.ci/check-layers` checks that the `use crate::` lines form no cycle.
//!
//! The unsafe code of this crate lives only in `coroutine.rs` (stack switching through
//! corosensei), `stack.rs` (releasing stack pages) and `overflow.rs` (the
//! stack-overflow reporter).

#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

mod blocking;
mod context;
mod coroutine;
mod inbox;
pub mod io;
mod overflow;
mod pool;
mod reactor;
mod ready;
mod report;
mod runtime;
mod scheduler;
pub mod signal;
mod stack;
pub mod sync;
pub mod task;
pub mod time;
mod timer;

pub use crate::context::RuntimeHandle;
pub use crate::runtime::{
    current_runtime, exit, run, runtime_index, runtimes, stats, stats_all, Builder, Stats,
    DEFAULT_MAX_IDLE_STACKS, DEFAULT_STACK_SIZE,
};
pub use crate::stack::StackGuards;
