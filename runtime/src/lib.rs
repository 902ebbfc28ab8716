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
//! # Interrupts
//!
//! [`time::timeout`], [`task::Task::cancel`] and shutdown stop a blocking call
//! by unwinding the task from where it waits. Every blocking call of this
//! crate keeps its object **whole** when cut that way: nothing it waited for
//! is lost, nothing happens twice, and the object works as before. Two rules
//! make that hold everywhere:
//!
//! * what a call is handed while it waits (a lock, a permit, a notification)
//!   passes to the next waiter if the call is cut before it runs again;
//! * an interrupt that arrives after the call was woken for its result (a
//!   message taken from a rendezvous send, a lock handed over) does not take
//!   that result away: the call returns it, and the interrupt waits for the
//!   task's next blocking call (or ends with its `timeout` scope).
//!
//! | call | an interrupt leaves |
//! |---|---|
//! | [`time::sleep`], [`time::sleep_until`], [`task::yield_now`] | whole: the wait ends early |
//! | [`task::park`] | whole: a value sent by `unpark` before the interrupt is returned; one sent after it waits for the next `park` |
//! | [`sync::Sender::send`] (bounded, rendezvous) | whole: the value was queued (or taken) and `send` returned, or it was not and never will be: it is dropped with the unwind |
//! | [`sync::Receiver::recv`], `recv_timeout`, `recv_until` | whole: no message is taken |
//! | [`sync::remote::Sender::send`], [`sync::remote::Receiver::recv`], `recv_timeout`, `recv_until` | whole, as for the local channel |
//! | [`sync::Select::ready`], `ready_timeout`, `ready_until` | whole: readiness is only looked at, never consumed |
//! | [`sync::Mutex::lock`], [`sync::Semaphore::acquire`] | whole: not acquired; a lock or permit handed over meanwhile goes to the next waiter |
//! | [`sync::Notify::wait`], `wait_until`, `wait_timeout` | whole: a notification picked for the cut waiter goes to the next one (or is stored) |
//! | [`sync::WaitGroup::wait`] | whole |
//! | [`task::JoinHandle::join`], `join_timeout`, `join_until`, [`task::RemoteJoinHandle::join`] | the handle is dropped: the task runs on, detached, and its result is dropped (`join_timeout` gives the handle back in its error when its own deadline passes) |
//! | [`task::spawn_blocking`], [`task::BlockingPool::run`] | the closure runs to its end on the pool (a thread cannot be unwound from outside); its result is dropped |
//! | [`signal::wait`] | whole: a signal that arrives later is seen by the next `wait` |
//! | [`io::Registered::wait`], [`io::Registered::io`] | whole: readiness is kept for the next call |
//!
//! `tests/interrupt_runtime.rs` cuts channels, locks, `Select` and the
//! blocking pool at random points and checks that every value is received
//! exactly once or, when its send was cut, never.
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
//! The modules form layers, and no module imports one above it; a file's
//! folder says its layer:
//!
//! * `leaves/`, plain data that knows nothing of the runtime: `stack` (stack
//!   sizes, arenas, the stack pool, page release), `coroutine` (stack
//!   switching only), `cell` (a task's state and its one-shot `Waker`), `ready`
//!   (the ready queue), `timer` (a timer heap), `overflow` (the stack-overflow
//!   reporter), `inbox` (what other threads hand to a runtime), `report` (the
//!   runtime's own stderr line);
//! * `subsystems/`, each built on leaves: `scheduler` (runs ready tasks, owns
//!   the stacks), `reactor` (mio, readiness, waiters, I/O deadlines; it wakes
//!   into a ready queue it is handed), `blocking` (a runtime's blocking calls
//!   and their completions, given a `mio::Waker`), `pool` (process-wide thread
//!   pools);
//! * `context.rs`, which composes them into one runtime, owns the
//!   thread-local, and is the way the API layer reaches the runtime;
//! * the API layer, one folder or file per public module: [`config`], [`io`],
//!   [`metrics`], [`signal`], [`sync`], [`task`], [`time`]. Inside it, what several modules
//!   share sits in a module of its own that the others import directly
//!   (`time::deadline`, `time::elapsed`, `sync::selectable`), never through a
//!   parent that re-exports it;
//! * `driver/`: [`run`] and the [`Builder`] that start runtimes, the event
//!   loop (timer firing, shutdown), and [`Stats`].
//!
//! `.ci/check-layers` checks that the `crate::`/`super::` paths (re-exports
//! included) form no cycle.
//!
//! The unsafe code of this crate lives only in `leaves/coroutine.rs` (stack
//! switching through corosensei), `leaves/stack/` (mapping stacks and
//! releasing their pages) and `leaves/overflow.rs` (the stack-overflow
//! reporter).

#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

mod leaves;
mod subsystems;

mod context;

pub mod config;
pub mod io;
pub mod metrics;
pub mod signal;
pub mod sync;
pub mod task;
pub mod time;

mod driver;

pub use crate::context::{runtime_local, RuntimeHandle};
pub use crate::driver::{
    current_runtime, exit, run, runtime_index, runtimes, stats, stats_all, Builder, Stats,
    DEFAULT_MAX_IDLE_STACKS, DEFAULT_STACK_SIZE,
};
pub use crate::leaves::stack::StackGuards;
