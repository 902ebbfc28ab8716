//! Starting runtimes: the [`Builder`] and its settings, [`run`], and one
//! runtime's life on its thread (context, main task, loop, shutdown).

use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;

use super::event_loop::{drive, shutdown};
use crate::context::{self, Context, Group};
use crate::leaves::overflow;
use crate::leaves::stack::{StackGuards, StackPool};
use crate::task;

/// Default usable stack size of a coroutine: 512 KiB of address space, of which
/// only the pages a coroutine touches become resident memory (a parked
/// connection touches one or two 4 KiB pages).
///
/// Sized for what handlers call in debug builds, where frames are several times
/// larger than in release: `serde_json` parsing input at its own nesting limit
/// (128 levels) needs about 250 KiB there and 96 KiB in release; compiling a
/// regex nested 200 deep and a rustls handshake need less than 128 KiB.
pub const DEFAULT_STACK_SIZE: usize = 512 * 1024;

/// Default number of finished coroutines' stacks kept for reuse.
pub const DEFAULT_MAX_IDLE_STACKS: usize = 1024;

/// Settings of a runtime, applied by [`Builder::run`].
///
/// A builder rather than a [config](crate::config): it starts runtimes
/// itself, and none of its values can be wrong (sizes are rounded up to what
/// works, `threads(0)` means one per core), so there is nothing for a
/// `check` to refuse. Its setters are `#[must_use]` like every config's.
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
    blocking_threads: Option<usize>,
    threads: usize,
    pin_threads: bool,
    guard_regions: bool,
    stack_guards: StackGuards,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with the defaults: stack size [`DEFAULT_STACK_SIZE`] (512 KiB),
    /// at most [`DEFAULT_MAX_IDLE_STACKS`] (1024) idle stacks pooled.
    pub fn new() -> Self {
        Builder {
            stack_size: DEFAULT_STACK_SIZE,
            max_idle_stacks: DEFAULT_MAX_IDLE_STACKS,
            blocking_threads: None,
            threads: 1,
            pin_threads: false,
            guard_regions: true,
            stack_guards: StackGuards::Always,
        }
    }

    /// Usable stack size of each coroutine, unless a task sets its own with
    /// [`task::Builder::stack_size`]. Rounded up to whole pages; at least 16 KiB.
    /// A coroutine that overflows it aborts the process with
    /// `coroutine stack overflow (task N, stack size S)`.
    ///
    /// # Sizing
    ///
    /// A stack costs address space for its whole size but memory only for the
    /// pages a coroutine touches, so a generous size costs little. What it
    /// must hold is the deepest call chain the task runs: recursion in parsers
    /// (JSON, regex, templates), and large local arrays. Give the few tasks
    /// that go deeper than the rest their own size with
    /// [`task::Builder::stack_size`] rather than raising every stack; lower the
    /// default only when address space is short (below about 64 KiB, debug
    /// builds overflow in ordinary library code).
    #[must_use]
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// How many stacks of finished coroutines are kept for reuse (default 1024).
    /// Stacks beyond this are unmapped when their coroutine ends.
    #[must_use]
    pub fn max_idle_stacks(mut self, count: usize) -> Self {
        self.max_idle_stacks = count;
        self
    }

    /// Whether default-size stacks are carved from shared arenas with
    /// `MADV_GUARD_INSTALL` guard pages (default `true`; used only where the
    /// kernel supports guard regions, Linux 6.13 and later). With them a
    /// million coroutines take about a thousand memory mappings. `false`
    /// behaves as an older kernel does: see [`stack_guards`](Self::stack_guards)
    /// for what happens then (by default every stack is mapped on its own
    /// with an `mprotect`ed guard page: two mappings each, so at most about
    /// 32,700 coroutines hold a stack at once under the default
    /// `vm.max_map_count`).
    #[must_use]
    pub fn guard_regions(mut self, enabled: bool) -> Self {
        self.guard_regions = enabled;
        self
    }

    /// How stacks are protected where guard regions are not available
    /// (kernels before 6.13, or [`guard_regions(false)`](Self::guard_regions)):
    /// [`StackGuards::Always`] (the default) gives every stack a guard page
    /// and so caps coroutines at about `vm.max_map_count / 2`;
    /// [`StackGuards::Within`] and [`StackGuards::Never`] go past that cap with
    /// stacks that have no guard page, only a page of padding and a canary
    /// checked each time the coroutine switches out (one `log` warning when
    /// the first is made). Where guard regions work, every stack is guarded
    /// whatever this says.
    ///
    /// # Safety
    ///
    /// With [`StackGuards::Within`] or [`StackGuards::Never`], a task that
    /// runs more than a page past the end of an unguarded stack writes over
    /// the stack below it before the canary can see it: memory corruption
    /// that safe code could otherwise never cause. Choose them only for tasks
    /// whose deepest stack use is known to fit (measured, with margin), and
    /// raise `vm.max_map_count` instead where you can.
    ///
    /// ```
    /// use silly_runtime::{Builder, StackGuards};
    ///
    /// // SAFETY: these tasks only park; their stacks stay shallow.
    /// let builder = unsafe { Builder::new().stack_guards(StackGuards::within_map_budget()) };
    /// assert_eq!(builder.run(|| 1), 1);
    /// ```
    #[must_use]
    pub unsafe fn stack_guards(mut self, guards: StackGuards) -> Self {
        self.stack_guards = guards;
        self
    }

    /// How many [`task::spawn_blocking`] jobs run at once, on the process's
    /// default [`task::BlockingPool`] (default
    /// [`task::DEFAULT_BLOCKING_THREADS`], 16); further jobs queue. The pool
    /// is shared by every runtime of the process, so this sets it for all of
    /// them when this runtime starts. Name resolution has a pool of its own
    /// and never waits behind these jobs.
    #[must_use]
    pub fn blocking_threads(mut self, threads: usize) -> Self {
        self.blocking_threads = Some(threads);
        self
    }

    /// How many runtimes [`run_each`](Self::run_each) starts, each on its own
    /// thread (default 1; 0 means one per available core). Each runtime is
    /// what one `run` is: its own tasks, sockets, timers and stacks, shared
    /// with no other; they reach each other only through
    /// [`sync::remote`](crate::sync::remote) channels and
    /// [`task::spawn_on`](crate::task::spawn_on).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Pins runtime `i`'s thread to core `i` (modulo the cores there are),
    /// so each keeps its caches; off by default.
    #[must_use]
    pub fn pin_threads(mut self, pin: bool) -> Self {
        self.pin_threads = pin;
        self
    }

    /// Runs `f` as the main task of a new runtime on this thread; see [`run`].
    /// Starts one runtime whatever [`threads`](Self::threads) says.
    pub fn run<T: 'static>(self, f: impl FnOnce() -> T + 'static) -> T {
        let group = Arc::new(Group::new(1));
        start(self, 0, group, f)
    }

    /// Starts [`threads`](Self::threads) runtimes, runtime 0 on this thread
    /// and the others on threads of their own, each with `f` as its main
    /// task; returns each main task's value, by runtime index, once all have
    /// returned. [`runtime_index`](crate::runtime_index) tells `f` where it runs. A panic of one
    /// main task continues from here after the others have returned.
    ///
    /// ```
    /// use silly_runtime::{runtime_index, Builder};
    ///
    /// let indexes = Builder::new().threads(2).run_each(runtime_index);
    /// assert_eq!(indexes, [0, 1]);
    /// ```
    pub fn run_each<T, F>(self, f: F) -> Vec<T>
    where
        T: Send + 'static,
        F: Fn() -> T + Send + Sync + 'static,
    {
        let count = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let group = Arc::new(Group::new(count));
        let f = Arc::new(f);
        let others: Vec<_> = (1..count)
            .map(|index| {
                let (builder, group, f) = (self.clone(), group.clone(), f.clone());
                std::thread::Builder::new()
                    .name(format!("silly-runtime-{index}"))
                    .spawn(move || start(builder, index, group, move || f()))
                    .expect("silly: cannot start a runtime thread")
            })
            .collect();
        let first = panic::catch_unwind(AssertUnwindSafe(|| start(self, 0, group, move || f())));
        let mut values = Vec::with_capacity(count);
        let mut panicked = None;
        for outcome in std::iter::once(first).chain(others.into_iter().map(|t| t.join())) {
            match outcome {
                Ok(value) => values.push(value),
                Err(payload) => panicked = panicked.or(Some(payload)),
            }
        }
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
        values
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

fn start<T: 'static>(
    builder: Builder,
    index: usize,
    group: Arc<Group>,
    f: impl FnOnce() -> T + 'static,
) -> T {
    assert!(
        context::try_with(|_| ()).is_none(),
        "silly::run: a runtime is already running on this thread"
    );
    if builder.pin_threads {
        if let Some(cores) = core_affinity::get_core_ids().filter(|c| !c.is_empty()) {
            core_affinity::set_for_current(cores[index % cores.len()]);
        }
    }
    let stacks = StackPool::new(
        builder.stack_size,
        builder.max_idle_stacks,
        builder.guard_regions,
        builder.stack_guards,
    );
    let made = Context::new(stacks, index, group.clone());
    // Joined even on failure, so the group's other runtimes do not wait for
    // this one forever.
    group.join(index, made.as_ref().ok().map(|cx| cx.inbox.clone()));
    let cx = Rc::new(made.expect("silly::run: cannot create the event poller"));
    if let Some(threads) = builder.blocking_threads {
        crate::subsystems::pool::DEFAULT_POOL.set_max_threads(threads);
    }
    context::replace(Some(cx.clone()));
    let alt_stack = overflow::install();
    task::install_panic_reporter();

    let main = task::Builder::new().fork_in(&cx, f);
    // A panic out of the loop (the deadlock report, a bug) must still unwind the
    // coroutines and clear this thread's runtime, or the next `run` would find
    // it set and blocked sockets would stay open.
    let driven = panic::catch_unwind(AssertUnwindSafe(|| drive(&cx, || main.is_finished())));
    let shut = panic::catch_unwind(AssertUnwindSafe(|| shutdown(&cx)));

    context::replace(None);
    drop(alt_stack);
    if let Err(payload) = driven.and(shut) {
        panic::resume_unwind(payload);
    }
    if let Some(code) = cx.exit_code.get() {
        std::process::exit(code);
    }
    drop(cx);
    match main.try_take() {
        Some(Ok(value)) => value,
        Some(Err(panicked)) => std::panic::resume_unwind(panicked.into_panic()),
        None => {
            unreachable!("the loop only stops when the main task finished or exit was called")
        }
    }
}
