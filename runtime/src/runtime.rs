//! The per-thread runtime: owns the scheduler, the reactor, the timers and the
//! stack pool, and drives them in one loop.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::blocking::Blocking;
use crate::reactor::Reactor;
use crate::scheduler::Scheduler;
use crate::signal;
use crate::stack::StackPool;
use crate::task::{self, TaskCell};
use crate::timer::Timers;

/// Default usable stack size of a coroutine: 128 KiB of address space, of which
/// only the pages a coroutine touches become resident memory.
pub const DEFAULT_STACK_SIZE: usize = 128 * 1024;

/// Default number of finished coroutines' stacks kept for reuse.
pub const DEFAULT_MAX_IDLE_STACKS: usize = 1024;

/// How many ready coroutines run before the loop polls for I/O again, so a
/// stream of `yield_now` calls cannot starve sockets and timers. Polling costs an
/// `epoll_wait`; once per 64 switches it is a few percent of a switch (Tokio
/// settled on 61 for the same trade).
const MAX_BATCH: usize = 64;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Runtime>>> = const { RefCell::new(None) };
}

/// Settings of a runtime, applied by [`Builder::run`].
///
/// ```
/// let v = silly_runtime::Builder::new()
///     .stack_size(256 * 1024)
///     .run(|| 7);
/// assert_eq!(v, 7);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    stack_size: usize,
    max_idle_stacks: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with the defaults: stack size [`DEFAULT_STACK_SIZE`] (128 KiB),
    /// at most [`DEFAULT_MAX_IDLE_STACKS`] (1024) idle stacks pooled.
    pub fn new() -> Self {
        Builder {
            stack_size: DEFAULT_STACK_SIZE,
            max_idle_stacks: DEFAULT_MAX_IDLE_STACKS,
        }
    }

    /// Usable stack size of each coroutine, unless a task sets its own with
    /// [`task::Builder::stack_size`]. Rounded up to whole pages; at least 16 KiB.
    /// A coroutine that overflows it aborts the process with
    /// `coroutine stack overflow (task N, stack size S)`.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// How many stacks of finished coroutines are kept for reuse (default 1024).
    /// Stacks beyond this are unmapped when their coroutine ends.
    pub fn max_idle_stacks(mut self, count: usize) -> Self {
        self.max_idle_stacks = count;
        self
    }

    /// Runs `f` as the main task of a new runtime on this thread; see [`run`].
    pub fn run<T: 'static>(self, f: impl FnOnce() -> T + 'static) -> T {
        Runtime::start(self, f)
    }
}

/// Runs `f` as the first coroutine of a new runtime on the current thread, drives
/// the event loop until `f` returns, and returns its value.
///
/// When `f` returns, coroutines that are still alive are dropped: a suspended one
/// is unwound from the point where it waits, so its destructors run (sockets close,
/// guards release). A coroutine that never started is dropped without running.
/// If `f` panics, the panic continues from `run` after that clean-up.
///
/// # Panics
///
/// Panics if a runtime is already running on this thread, or if the main task
/// waits for something that can never happen (every coroutine parked, no timer,
/// no socket and no blocking call pending: a deadlock).
pub fn run<T: 'static>(f: impl FnOnce() -> T + 'static) -> T {
    Builder::new().run(f)
}

/// Stops the runtime and ends the process with `code` once the loop has stopped
/// and every live coroutine has been unwound.
///
/// Called from a coroutine, it does not return. Called outside a runtime, it exits
/// the process at once.
pub fn exit(code: i32) -> ! {
    match Runtime::try_current() {
        Some(rt) if rt.scheduler.in_task() => {
            rt.exit_code.set(Some(code));
            drop(rt);
            task::park_forever()
        }
        _ => std::process::exit(code),
    }
}

/// Counts of what a runtime holds at one moment, for leak checks and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Coroutines forked and not yet finished (the caller included).
    pub live_tasks: usize,
    /// Coroutines waiting in the ready queue.
    pub ready_tasks: usize,
    /// I/O sources registered with the reactor.
    pub registrations: usize,
    /// Timers armed and not yet fired or cancelled.
    pub timers: usize,
    /// `spawn_blocking` calls whose result has not been taken.
    pub blocking_calls: usize,
    /// Finished coroutines' stacks kept for reuse.
    pub idle_stacks: usize,
}

/// Counts of what the current runtime holds.
///
/// # Panics
///
/// Panics when called outside [`run`].
pub fn stats() -> Stats {
    let rt = Runtime::current();
    let timers = rt.timers.borrow().len();
    let idle_stacks = rt.stacks.borrow().idle();
    Stats {
        live_tasks: rt.scheduler.live_tasks(),
        ready_tasks: rt.scheduler.ready_len(),
        registrations: rt.reactor.len(),
        timers,
        blocking_calls: rt.blocking.pending(),
        idle_stacks,
    }
}

/// One runtime: everything a thread's coroutines share.
pub(crate) struct Runtime {
    /// Ready queue, live tasks, the running task.
    pub(crate) scheduler: Scheduler,
    /// mio poll and per-fd readiness and waiters.
    pub(crate) reactor: Reactor,
    /// Sleeps, timeouts and `time::after` callbacks.
    pub(crate) timers: RefCell<Timers>,
    /// mmap'd coroutine stacks, reused across tasks.
    pub(crate) stacks: RefCell<StackPool>,
    /// Results coming back from the blocking thread pool.
    pub(crate) blocking: Blocking,
    /// Set by [`exit`]: the loop stops and the process ends with this code.
    exit_code: Cell<Option<i32>>,
    /// When the loop last came back from polling (see [`time::loop_now`]).
    ///
    /// [`time::loop_now`]: crate::time::loop_now
    pub(crate) loop_now: Cell<Instant>,
    /// Unique in the process, so handles from an earlier runtime on this thread
    /// (a `time::Timer`) are not mistaken for this one's.
    pub(crate) id: u64,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

impl Runtime {
    /// The runtime of this thread.
    ///
    /// # Panics
    ///
    /// Panics outside [`run`], with a message naming the mistake.
    pub(crate) fn current() -> Rc<Runtime> {
        Self::try_current()
            .expect("silly: this call needs a running runtime: call it inside silly::run")
    }

    pub(crate) fn exit_requested(&self) -> bool {
        self.exit_code.get().is_some()
    }

    /// Runs `f` with this thread's runtime, without the reference count traffic of
    /// [`current`](Self::current). `f` must not suspend.
    ///
    /// # Panics
    ///
    /// Panics outside [`run`].
    pub(crate) fn with<R>(f: impl FnOnce(&Runtime) -> R) -> R {
        CURRENT.with(|c| {
            let rt = c.borrow();
            f(rt.as_ref()
                .expect("silly: this call needs a running runtime: call it inside silly::run"))
        })
    }

    /// [`with`](Self::with), or `None` outside [`run`].
    pub(crate) fn try_with<R>(f: impl FnOnce(&Runtime) -> R) -> Option<R> {
        CURRENT.with(|c| c.borrow().as_deref().map(f))
    }

    pub(crate) fn try_current() -> Option<Rc<Runtime>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    fn start<T: 'static>(builder: Builder, f: impl FnOnce() -> T + 'static) -> T {
        assert!(
            Self::try_current().is_none(),
            "silly::run: a runtime is already running on this thread"
        );
        let reactor = Reactor::new().expect("silly::run: cannot create the event poller");
        let blocking = Blocking::new(&reactor).expect("silly::run: cannot create the loop waker");
        let rt = Rc::new(Runtime {
            scheduler: Scheduler::new(),
            reactor,
            timers: RefCell::new(Timers::new()),
            stacks: RefCell::new(StackPool::new(builder.stack_size, builder.max_idle_stacks)),
            blocking,
            exit_code: Cell::new(None),
            loop_now: Cell::new(Instant::now()),
            id: {
                static NEXT: AtomicU64 = AtomicU64::new(1);
                NEXT.fetch_add(1, Ordering::Relaxed)
            },
        });
        CURRENT.with(|c| *c.borrow_mut() = Some(rt.clone()));
        let alt_stack = signal::install();
        task::install_panic_reporter();

        let main = task::fork(f);
        // A panic out of the loop (the deadlock report, a bug) must still unwind the
        // coroutines and clear this thread's runtime, or the next `run` would find
        // it set and blocked sockets would stay open.
        let driven = panic::catch_unwind(AssertUnwindSafe(|| rt.drive(|| main.is_finished())));
        let shut = panic::catch_unwind(AssertUnwindSafe(|| rt.shutdown()));

        CURRENT.with(|c| c.borrow_mut().take());
        drop(alt_stack);
        if let Err(payload) = driven.and(shut) {
            panic::resume_unwind(payload);
        }
        if let Some(code) = rt.exit_code.get() {
            std::process::exit(code);
        }
        drop(rt);
        match main.try_take() {
            Some(Ok(value)) => value,
            Some(Err(panicked)) => std::panic::resume_unwind(panicked.into_panic()),
            None => {
                unreachable!("the loop only stops when the main task finished or exit was called")
            }
        }
    }

    /// The event loop: run ready coroutines, poll I/O (blocking only when nothing
    /// is ready, and no longer than the next timer), wake waiters, fire timers.
    fn drive(&self, done: impl Fn() -> bool) {
        loop {
            let stop = || done() || self.exit_requested();
            self.scheduler.run_ready(self, MAX_BATCH, &stop);
            if stop() {
                return;
            }
            let timeout = if self.scheduler.ready_len() > 0 {
                Some(Duration::ZERO)
            } else {
                self.timers
                    .borrow()
                    .next_deadline()
                    .map(|deadline| deadline.saturating_duration_since(Instant::now()))
            };
            if timeout.is_none() && self.reactor.len() == 0 && self.blocking.pending() == 0 {
                panic!(
                    "silly::run: deadlock: the main task waits, and no coroutine is ready, \
                     no timer is armed, no socket is open and no blocking call is pending"
                );
            }
            let woke_blocking = self.reactor.poll(timeout, &self.scheduler);
            self.loop_now.set(Instant::now());
            if woke_blocking {
                self.blocking.collect(&self.scheduler);
            }
            self.fire_timers();
        }
    }

    fn fire_timers(&self) {
        let now = self.loop_now.get();
        loop {
            // Take one at a time: a fired callback forks a task, which borrows nothing
            // here, but keeping the borrow short keeps that true as the code changes.
            let expired = self.timers.borrow_mut().pop_expired(now);
            match expired {
                Some(action) => action.fire(self, now),
                None => return,
            }
        }
    }

    /// Unwinds every live coroutine. Destructors that run during the unwind may
    /// fork new tasks or arm timers; those are dropped too, until nothing is left.
    fn shutdown(&self) {
        loop {
            let tasks: Vec<Rc<TaskCell>> = self.scheduler.drain_live();
            let ready = self.scheduler.take_ready();
            let timers = self.timers.borrow_mut().take_all();
            if tasks.is_empty() && ready.is_empty() && timers.len() == 0 {
                break;
            }
            for task in tasks {
                self.scheduler.unwind(&task);
            }
            // Dropping these runs user destructors (captured by `after` callbacks,
            // unpark values) that may fork or arm timers: go round until nothing is left.
            drop(ready);
            drop(timers);
        }
    }
}
