//! The state a runtime keeps for each task, and the one-shot [`Waker`] that ends
//! one park of it. Plain data: nothing here knows the scheduler or the runtime.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::coroutine::{Coroutine, Entry, YielderSlot};

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
    /// How code running in the coroutine suspends it.
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
            yielder: YielderSlot::default(),
            unwinding: Cell::new(false),
            unpark_value: RefCell::new(None),
        }
    }

    /// Suspends this task, which must be the one running, as parked for `kind`.
    pub(crate) fn park(&self, kind: Park) {
        self.state.set(State::Parked(kind));
        self.yielder.suspend();
    }
}

/// Ends one park of a task, once. A waker is tied to a single park of its task:
/// after the task is woken (by this waker or any other), it is stale and
/// waking with it does nothing. Whoever wakes puts the task it returns in a
/// ready queue (`ReadyQueue::wake`).
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
    /// A waker for the next park of `task`.
    pub(crate) fn for_next_park(task: Rc<TaskCell>) -> Waker {
        let seq = task.park_seq.get();
        Waker { task, seq }
    }

    /// Ends the park this waker was made for and returns the task to make
    /// ready; `None` if that park already ended (or has not begun).
    pub(crate) fn end_park(&self) -> Option<&Rc<TaskCell>> {
        self.is_live().then(|| {
            self.task.park_seq.set(self.seq.wrapping_add(1));
            &self.task
        })
    }

    /// [`end_park`](Self::end_park), handing over the waker's reference to the task.
    pub(crate) fn into_end_park(self) -> Option<Rc<TaskCell>> {
        self.end_park().is_some().then_some(self.task)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Rc<TaskCell> {
        Rc::new(TaskCell::new(7, None, None, Box::new(|_| {})))
    }

    #[test]
    fn a_waker_ends_only_the_park_it_was_made_for() {
        let t = task();
        let early = Waker::for_next_park(t.clone());
        assert!(early.end_park().is_none(), "not parked yet");
        t.state.set(State::Parked(Park::Internal));
        let late = Waker::for_next_park(t.clone());
        assert!(early.same_as(&late));
        assert!(Rc::ptr_eq(late.end_park().unwrap(), &t));
        // Still marked parked (nobody ran it yet), but this park has ended.
        assert!(early.end_park().is_none(), "stale after the first wake");
        let next = Waker::for_next_park(t.clone());
        assert!(!next.same_as(&early));
        assert!(
            next.into_end_park().is_some(),
            "a waker made for the next park works"
        );
    }

    #[test]
    fn only_internal_parks_are_ended_by_wakers() {
        let t = task();
        for kind in [Park::User, Park::Forever] {
            t.state.set(State::Parked(kind));
            assert!(Waker::for_next_park(t.clone()).end_park().is_none());
        }
        t.state.set(State::Done);
        assert!(Waker::for_next_park(t.clone()).end_park().is_none());
    }
}
