//! The runtime of this thread, and the one way the API layer (`io`, `time`,
//! `task`, `sync`) reaches it.
//!
//! [`Context`] is the composition of the subsystems: the scheduler (tasks,
//! ready queue, stacks), the reactor (sockets, I/O deadlines), the timers of
//! sleeps and callbacks, and the blocking pool's completions. The driver
//! (`driver`) builds one, installs it here for the thread, and runs the
//! loop over it. The subsystems do not know this module: they are handed what
//! they need (a ready queue to wake into, a `mio::Waker`).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Instant;

use crate::leaves::cell::{Interrupt, Park, TaskCell, Waker};
use crate::leaves::inbox::Inbox;
use crate::leaves::stack::StackPool;
use crate::leaves::timer::{TimerKey, Timers};
use crate::subsystems::blocking::Blocking;
use crate::subsystems::reactor::Reactor;
use crate::subsystems::scheduler::Scheduler;

use slab::Slab;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Context>>> = const { RefCell::new(None) };
}

const OUTSIDE_RUN: &str = "silly: this call needs a running runtime: call it inside silly::run";
const OUTSIDE_COROUTINE: &str =
    "silly: this call must be made from a coroutine (inside silly::run)";

/// What a timer of [`Context::timers`] does when it fires; the driver does it.
pub(crate) enum TimerAction {
    /// Make a parked task ready (a sleep).
    Wake(Waker),
    /// Call this on the loop's stack (`time::after` forks its task from here).
    Call(Box<dyn FnOnce()>),
}

/// One runtime: everything a thread's coroutines share.
pub(crate) struct Context {
    /// Ready queue, live tasks, the running task, the stack pool.
    pub(crate) scheduler: Scheduler,
    /// mio poll, per-fd readiness and waiters, I/O deadlines.
    pub(crate) reactor: Reactor,
    /// Sleeps and `time::after` callbacks.
    pub(crate) timers: RefCell<Timers<TimerAction>>,
    /// What other threads hand to this runtime (blocking results, wake-ups,
    /// tasks to start), and the waker that tells the loop.
    pub(crate) inbox: Arc<Inbox>,
    /// Tasks waiting for a blocking-pool job.
    pub(crate) blocking: Blocking,
    /// Set by `exit`: the loop stops and the process ends with this code.
    pub(crate) exit_code: Cell<Option<i32>>,
    /// When the loop last came back from polling (see `time::loop_now`).
    pub(crate) loop_now: Cell<Instant>,
    /// Unique in the process, so handles from an earlier runtime on this thread
    /// (a `time::Timer`) are not mistaken for this one's.
    pub(crate) id: u64,
    /// State an API module keeps per runtime (the signal hub), made on first
    /// use by [`local`], dropped at shutdown.
    pub(crate) locals: RefCell<Vec<Rc<dyn Any>>>,
    /// Tasks parked where another thread may wake them (a cross-runtime
    /// channel): the waker, under a generation a stale [`RemoteWaker`] fails.
    remote_waiters: RefCell<Slab<(u64, Waker)>>,
    next_remote: Cell<u64>,
    /// This runtime's place among the runtimes started together.
    pub(crate) index: usize,
    /// The runtimes started together (one `Builder` run), this one included.
    pub(crate) group: Arc<Group>,
}

/// The runtimes one `Builder` started: their inboxes by index, filled in as
/// each creates its context, complete before any main task runs.
pub(crate) struct Group {
    inboxes: Mutex<Vec<Option<Arc<Inbox>>>>,
    all_in: Barrier,
}

impl Group {
    /// A group of `size` runtimes.
    pub(crate) fn new(size: usize) -> Group {
        Group {
            inboxes: Mutex::new(vec![None; size]),
            all_in: Barrier::new(size),
        }
    }

    /// Records runtime `index`'s inbox, then waits until every runtime of the
    /// group has (so each can reach all the others from its first task on).
    pub(crate) fn join(&self, index: usize, inbox: Option<Arc<Inbox>>) {
        self.inboxes.lock().unwrap_or_else(|e| e.into_inner())[index] = inbox;
        self.all_in.wait();
    }

    /// Handles to every runtime of the group, by index.
    pub(crate) fn handles(&self) -> Vec<RuntimeHandle> {
        let inboxes = self.inboxes.lock().unwrap_or_else(|e| e.into_inner());
        inboxes
            .iter()
            .enumerate()
            .filter_map(|(index, inbox)| inbox.clone().map(|inbox| RuntimeHandle { inbox, index }))
            .collect()
    }
}

/// A runtime of this process, as other threads see it: `Send + Sync`, cheap
/// to clone. [`task::spawn_on`](crate::task::spawn_on) starts tasks on it.
#[derive(Clone)]
pub struct RuntimeHandle {
    pub(crate) inbox: Arc<Inbox>,
    index: usize,
}

impl RuntimeHandle {
    /// The runtime's index among those started together (0 for the first;
    /// always 0 for a runtime started alone).
    pub fn index(&self) -> usize {
        self.index
    }
}

impl fmt::Debug for RuntimeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeHandle")
            .field("index", &self.index)
            .finish()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A runtime whose coroutines take their stacks from `stacks`; runtime
    /// `index` of `group`.
    pub(crate) fn new(stacks: StackPool, index: usize, group: Arc<Group>) -> io::Result<Self> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let reactor = Reactor::new()?;
        let inbox = Arc::new(Inbox::new(reactor.waker()?));
        let blocking = Blocking::new(inbox.clone());
        Ok(Context {
            scheduler: Scheduler::new(stacks),
            reactor,
            timers: RefCell::new(Timers::new()),
            inbox,
            blocking,
            exit_code: Cell::new(None),
            loop_now: Cell::new(Instant::now()),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            locals: RefCell::new(Vec::new()),
            remote_waiters: RefCell::new(Slab::new()),
            next_remote: Cell::new(0),
            index,
            group,
        })
    }
}

impl Context {
    /// A handle to this runtime.
    pub(crate) fn handle(&self) -> RuntimeHandle {
        RuntimeHandle {
            inbox: self.inbox.clone(),
            index: self.index,
        }
    }

    /// Tasks parked on something another thread will wake: while any are, the
    /// loop may sleep with nothing else to wait for (no deadlock).
    pub(crate) fn remote_waits(&self) -> usize {
        self.remote_waiters.borrow().len()
    }

    fn wake_remote(&self, slot: usize, generation: u64) {
        let waker = {
            let mut waiters = self.remote_waiters.borrow_mut();
            match waiters.get(slot) {
                Some((g, _)) if *g == generation => Some(waiters.remove(slot).1),
                _ => None,
            }
        };
        if let Some(waker) = waker {
            self.scheduler.ready().wake_owned(waker);
        }
    }

    fn forget_remote(&self, slot: usize, generation: u64) {
        let mut waiters = self.remote_waiters.borrow_mut();
        if waiters.get(slot).is_some_and(|(g, _)| *g == generation) {
            waiters.remove(slot);
        }
    }
}

/// Wakes the next park of a task from any thread: `Send`, unlike [`Waker`].
/// Made by [`remote_waker`] before the task parks; a wake that comes after the
/// park ended another way does nothing.
pub(crate) struct RemoteWaker {
    inbox: Arc<Inbox>,
    slot: usize,
    generation: u64,
}

impl RemoteWaker {
    /// Makes the task ready: directly when called on its own runtime's
    /// thread, else through that runtime's inbox.
    pub(crate) fn wake(self) {
        let (slot, generation) = (self.slot, self.generation);
        let local = try_with(|cx| {
            let own = Arc::ptr_eq(&cx.inbox, &self.inbox);
            if own {
                cx.wake_remote(slot, generation);
            }
            own
        });
        if local != Some(true) {
            let _ = self.inbox.post(Box::new(move || {
                with(|cx| cx.wake_remote(slot, generation));
            }));
        }
    }

    /// Tells this waker from others: its runtime, slot and generation.
    pub(crate) fn id(&self) -> (usize, usize, u64) {
        (
            Arc::as_ptr(&self.inbox) as usize,
            self.slot,
            self.generation,
        )
    }
}

/// A [`RemoteWaker`] for the running task's next park, and a guard that
/// withdraws it when dropped (after the park, however it ended).
///
/// # Panics
///
/// Panics outside a coroutine.
pub(crate) fn remote_waker() -> (RemoteWaker, RemoteWait) {
    let waker = waker();
    with(|cx| {
        let generation = cx.next_remote.get();
        cx.next_remote.set(generation + 1);
        let slot = cx.remote_waiters.borrow_mut().insert((generation, waker));
        let remote = RemoteWaker {
            inbox: cx.inbox.clone(),
            slot,
            generation,
        };
        (remote, RemoteWait { slot, generation })
    })
}

/// Withdraws a [`remote_waker`] when dropped.
pub(crate) struct RemoteWait {
    slot: usize,
    generation: u64,
}

impl Drop for RemoteWait {
    fn drop(&mut self) {
        try_with(|cx| cx.forget_remote(self.slot, self.generation));
    }
}

/// Makes `cx` this thread's runtime (`None`: no runtime); returns the one before.
pub(crate) fn replace(cx: Option<Rc<Context>>) -> Option<Rc<Context>> {
    CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), cx))
}

/// The runtime of this thread.
///
/// # Panics
///
/// Panics outside `run`, with a message naming the mistake.
pub(crate) fn current() -> Rc<Context> {
    try_current().expect(OUTSIDE_RUN)
}

/// The runtime of this thread, if one runs.
pub(crate) fn try_current() -> Option<Rc<Context>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` with this thread's runtime, without the reference count traffic of
/// [`current`]. `f` must not suspend.
///
/// # Panics
///
/// Panics outside `run`.
pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_deref().expect(OUTSIDE_RUN)))
}

/// [`with`], or `None` outside `run`.
pub(crate) fn try_with<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    CURRENT.with(|c| c.borrow().as_deref().map(f))
}

/// This runtime's `T`, made with `init` the first time it is asked for.
///
/// # Errors
///
/// What `init` returns.
///
/// # Panics
///
/// Panics outside `run`.
pub(crate) fn local<T: 'static, E>(init: impl FnOnce() -> Result<T, E>) -> Result<Rc<T>, E> {
    let found = with(|cx| {
        let locals = cx.locals.borrow();
        locals.iter().find_map(|l| l.clone().downcast::<T>().ok())
    });
    if let Some(found) = found {
        return Ok(found);
    }
    // Made with no borrow held: `init` may register with the reactor.
    let made = Rc::new(init()?);
    with(|cx| cx.locals.borrow_mut().push(made.clone()));
    Ok(made)
}

/// The running runtime's value of type `T`: made by `init` the first time a
/// runtime asks for it, shared by every later call in that runtime, and
/// dropped when the runtime ends (after its tasks). State that must not
/// outlive its runtime (pooled connections, registrations with its reactor)
/// belongs here rather than in a `thread_local!`, which would carry it into
/// the next runtime started on the same thread. There is one value per type:
/// wrap it in a type of your own so that no other code shares it.
///
/// ```
/// use std::cell::Cell;
///
/// struct Requests(Cell<u32>);
///
/// for _ in 0..2 {
///     silly_runtime::run(|| {
///         let count = silly_runtime::runtime_local(|| Requests(Cell::new(0)));
///         count.0.set(count.0.get() + 1);
///         let again = silly_runtime::runtime_local(|| Requests(Cell::new(0)));
///         assert_eq!(again.0.get(), 1, "one value per runtime, made anew in each");
///     });
/// }
/// ```
///
/// # Panics
///
/// Panics outside `run`.
pub fn runtime_local<T: 'static>(init: impl FnOnce() -> T) -> Rc<T> {
    let Ok(value) = local::<T, std::convert::Infallible>(|| Ok(init()));
    value
}

/// The running task.
///
/// # Panics
///
/// Panics outside a coroutine, with a message that says so.
pub(crate) fn current_task() -> Rc<TaskCell> {
    try_current_task().expect(OUTSIDE_COROUTINE)
}

/// The running task, or `None` outside a coroutine.
pub(crate) fn try_current_task() -> Option<Rc<TaskCell>> {
    try_with(|cx| cx.scheduler.current()).flatten()
}

/// A waker for the next park of the running task.
///
/// # Panics
///
/// Panics outside a coroutine.
pub(crate) fn waker() -> Waker {
    Waker::for_next_park(current_task())
}

/// Makes the task `waker` was made for ready, unless that park already ended.
pub(crate) fn wake(waker: &Waker) {
    if let Some(task) = waker.end_park() {
        with(|cx| cx.scheduler.ready().push(task.clone()));
    }
}

/// Suspends the running task until a [`Waker`] made for this park wakes it.
pub(crate) fn park() {
    park_as(Park::Internal);
}

/// [`park`], but an interrupt that ends it is not delivered if `done()` says
/// the awaited operation completed anyway (see `TaskCell::park_unless`).
pub(crate) fn park_unless(done: impl FnOnce() -> bool) {
    current_task().park_unless(Park::Internal, done);
}

/// Suspends the running task as parked for `kind`.
pub(crate) fn park_as(kind: Park) {
    current_task().park(kind);
}

/// [`park`], but a timer also wakes the task at `deadline` (if any). The
/// caller tells by its own state whether what it waits for happened.
pub(crate) fn park_until(deadline: Option<Instant>) {
    let Some(deadline) = deadline else {
        return park();
    };
    let cx = current();
    let _timer = ArmedTimer::arm(&cx, deadline, TimerAction::Wake(waker()));
    park();
}

/// Asks `task` to be interrupted (see `leaves::cell`), waking it if it is parked.
pub(crate) fn interrupt(task: &Rc<TaskCell>, interrupt: Interrupt) {
    if task.request_interrupt(interrupt) {
        with(|cx| cx.scheduler.ready().push(task.clone()));
    }
}

/// A timer of [`Context::timers`] that is cancelled when dropped: a task
/// unwound while it waits leaves no timer behind.
pub(crate) struct ArmedTimer<'a> {
    cx: &'a Context,
    key: TimerKey,
}

impl<'a> ArmedTimer<'a> {
    pub(crate) fn arm(cx: &'a Context, deadline: Instant, action: TimerAction) -> Self {
        let key = cx.timers.borrow_mut().insert(deadline, action);
        ArmedTimer { cx, key }
    }
}

impl Drop for ArmedTimer<'_> {
    fn drop(&mut self) {
        let action = self.cx.timers.borrow_mut().cancel(self.key);
        drop(action); // after the borrow: a callback's captures may use timers
    }
}

/// Whether the running task is being unwound by shutdown. Waits then return at
/// once instead of suspending: a destructor that waits would otherwise be
/// unwound again from inside its own unwinding, which aborts the process.
pub(crate) fn unwinding() -> bool {
    try_current_task().is_some_and(|t| t.unwinding.get())
}
