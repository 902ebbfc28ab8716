//! The state a runtime keeps for each task, and the one-shot `Waker` that makes
//! a parked task ready again.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::coroutine::{Coroutine, Entry, YielderSlot};
use crate::runtime::Runtime;
use crate::scheduler::Scheduler;

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// In the ready queue.
    Ready,
    /// Its coroutine is executing.
    Running,
    /// Suspended until something wakes it; who may wake it depends on the kind.
    Parked(Park),
    /// Returned, panicked, or was unwound at shutdown.
    Done,
}

/// Why a task is parked, which decides who may wake it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Park {
    /// Inside the runtime (I/O, timer, sync primitive, join): only a `Waker`
    /// handed out for this very park wakes it.
    Internal,
    /// In `task::park`: only `Task::unpark` wakes it.
    User,
    /// After `exit`: nothing wakes it; shutdown unwinds it.
    Forever,
}

pub(crate) struct TaskCell {
    pub(crate) id: u64,
    pub(crate) name: Option<String>,
    pub(crate) state: Cell<State>,
    /// Bumped each time the task is woken, so wakers handed out for an earlier
    /// park (a timeout that lost the race against I/O) cannot wake a later one.
    pub(crate) park_seq: Cell<u64>,
    /// Key of this task in the scheduler's live set.
    pub(crate) live_key: Cell<usize>,
    /// Stack size asked for with `task::Builder`, else the runtime's default.
    pub(crate) stack_size: Option<usize>,
    /// What to run, until the coroutine is created on first resume.
    pub(crate) entry: Cell<Option<Entry>>,
    /// The suspended coroutine; `None` before start, while running, and after.
    pub(crate) coroutine: RefCell<Option<Coroutine>>,
    pub(crate) yielder: YielderSlot,
    /// Set while shutdown unwinds this task: its panic boundary must let the
    /// unwind through instead of reporting it as a panic.
    pub(crate) unwinding: Cell<bool>,
    /// Value passed by `Task::unpark`, taken by `task::park`.
    pub(crate) unpark_value: RefCell<Option<Box<dyn Any>>>,
}

impl TaskCell {
    pub(crate) fn new(
        id: u64,
        name: Option<String>,
        stack_size: Option<usize>,
        entry: Entry,
    ) -> Self {
        TaskCell {
            id,
            name,
            state: Cell::new(State::Ready),
            park_seq: Cell::new(0),
            live_key: Cell::new(usize::MAX),
            stack_size,
            entry: Cell::new(Some(entry)),
            coroutine: RefCell::new(None),
            yielder: Cell::new(std::ptr::null()),
            unwinding: Cell::new(false),
            unpark_value: RefCell::new(None),
        }
    }
}

/// Makes one parked task ready again, once. A waker is tied to a single park of
/// its task: after the task is woken (by this waker or any other), it is stale
/// and waking it does nothing.
#[derive(Clone)]
pub(crate) struct Waker {
    task: Rc<TaskCell>,
    seq: u64,
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Waker(task {}, park {})", self.task.id, self.seq)
    }
}

impl Waker {
    /// A waker for the next park of the running task.
    ///
    /// # Panics
    ///
    /// Panics outside a coroutine.
    pub(crate) fn current() -> Waker {
        Waker::for_next_park(current_cell())
    }

    /// A waker for the next park of `task`.
    pub(crate) fn for_next_park(task: Rc<TaskCell>) -> Waker {
        let seq = task.park_seq.get();
        Waker { task, seq }
    }

    pub(crate) fn wake(&self) {
        if self.is_live() {
            Runtime::with(|rt| self.wake_in(&rt.scheduler));
        }
    }

    pub(crate) fn wake_in(&self, scheduler: &Scheduler) {
        if self.is_live() {
            self.task.park_seq.set(self.seq.wrapping_add(1));
            scheduler.push_ready(self.task.clone());
        }
    }

    /// [`wake_in`](Self::wake_in), handing the waker's reference to the task
    /// to the ready queue instead of taking another.
    pub(crate) fn wake_into(self, scheduler: &Scheduler) {
        if self.is_live() {
            self.task.park_seq.set(self.seq.wrapping_add(1));
            scheduler.push_ready(self.task);
        }
    }

    fn is_live(&self) -> bool {
        self.task.state.get() == State::Parked(Park::Internal)
            && self.task.park_seq.get() == self.seq
    }

    /// Whether both wake the same park of the same task.
    pub(crate) fn same_as(&self, other: &Waker) -> bool {
        Rc::ptr_eq(&self.task, &other.task) && self.seq == other.seq
    }
}

/// The running task.
///
/// # Panics
///
/// Panics outside a coroutine, with a message that says so.
pub(crate) fn current_cell() -> Rc<TaskCell> {
    Runtime::with(|rt| rt.scheduler.current())
        .expect("silly: this call must be made from a coroutine (inside silly::run)")
}

/// Whether the running task is being unwound by shutdown. Waits then return at
/// once instead of suspending: a destructor that waits would otherwise be
/// unwound again from inside its own unwinding, which aborts the process.
pub(crate) fn unwinding() -> bool {
    Runtime::with(|rt| rt.scheduler.current()).is_some_and(|t| t.unwinding.get())
}

/// Suspends the running task until a `Waker` made for this park wakes it.
pub(crate) fn park_internal() {
    suspend_as(Park::Internal);
}

pub(crate) fn suspend_as(kind: Park) {
    park_running(&current_cell(), kind);
}

/// Suspends `task`, which must be the running task, as parked for `kind`.
pub(crate) fn park_running(task: &TaskCell, kind: Park) {
    task.state.set(State::Parked(kind));
    Coroutine::suspend_current(task);
}
