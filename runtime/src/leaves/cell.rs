//! The state a runtime keeps for each task, the one-shot [`Waker`] that ends
//! one park of it, and interrupts (cancellation, a `time::timeout` deadline)
//! delivered where it parks. Plain data: nothing here knows the scheduler or
//! the runtime.
//!
//! # Interrupts
//!
//! A task is interrupted by unwinding it from the point where it blocks, the
//! way shutdown unwinds parked tasks: destructors run (sockets close, locks
//! release, waiters leave their lists) and a `catch_unwind` further up turns
//! the [`Interrupted`] payload into a result. An interrupt is requested with
//! [`TaskCell::request_interrupt`] and delivered by [`TaskCell::park`]: before
//! parking, or right after waking. A request wakes a task parked in the
//! runtime or in `task::park`. Delivery waits while the thread is unwinding a
//! panic (a destructor that blocks during an unwind must not start a second
//! one, which would abort), and a task that runs without blocking is not
//! interrupted until it blocks or yields.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::leaves::coroutine::{Coroutine, YielderSlot};

/// How the scheduler starts a task's entry.
pub(crate) enum Start {
    /// On the task's coroutine: run the user's closure.
    Run,
    /// On the scheduler's stack, without running the closure: no stack could
    /// be had (the reason says why).
    NoStack(String),
    /// On the scheduler's stack, without running the closure: the task was
    /// cancelled before it started.
    Cancelled,
}

/// What a task runs, called once: it runs the user's closure (or reports why
/// not) and fills the task's join state.
pub(crate) type Entry = Box<dyn FnOnce(Start)>;

/// Why a task is being unwound from the point where it blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// `Task::cancel`: the whole task ends.
    Cancel,
    /// The deadline of the `time::timeout` scope with this id passed.
    Deadline(u64),
}

impl Interrupt {
    /// Of two requests, the one that ends more: a cancel beats any deadline,
    /// and an outer timeout scope (a smaller id) beats an inner one.
    fn stronger(self, other: Interrupt) -> Interrupt {
        match (self, other) {
            (Interrupt::Deadline(a), Interrupt::Deadline(b)) => Interrupt::Deadline(a.min(b)),
            _ => Interrupt::Cancel,
        }
    }
}

/// The panic payload that unwinds an interrupted task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interrupted(pub(crate) Interrupt);

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
    /// An interrupt requested and not yet delivered.
    pub(crate) interrupt: Cell<Option<Interrupt>>,
    /// Set when a request for an interrupt ended the current park: only then
    /// is it delivered on waking. One that arrives after a waker ended the
    /// park waits for the next park, so what woke the task (a message handed
    /// over, a socket gone readable) is used, not lost to the unwind.
    pub(crate) woken_by_interrupt: Cell<bool>,
    /// Set when a cancel is delivered: the task is ending, later requests are
    /// ignored (its destructors may still block).
    pub(crate) cancelled: Cell<bool>,
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
            interrupt: Cell::new(None),
            woken_by_interrupt: Cell::new(false),
            cancelled: Cell::new(false),
        }
    }

    /// Suspends this task, which must be the one running, as parked for `kind`.
    /// Unwinds with [`Interrupted`] instead if an interrupt is pending before
    /// parking, or if the interrupt is what ended the park. An interrupt
    /// requested after a waker ended the park stays pending until the next
    /// park: the operation that was woken completes (its result is not lost
    /// to a deadline that passed while the task waited in the ready queue).
    #[inline]
    pub(crate) fn park(&self, kind: Park) {
        self.park_unless(kind, || false);
    }

    /// [`park`](Self::park), except that an interrupt that ended the park is
    /// not delivered if `done()` says the awaited operation completed anyway
    /// (another task finished it between the interrupt and this task's
    /// turn): it stays pending for the next park, and the caller returns its
    /// result.
    #[inline]
    pub(crate) fn park_unless(&self, kind: Park, done: impl FnOnce() -> bool) {
        self.deliver_interrupt();
        self.state.set(State::Parked(kind));
        self.yielder.suspend();
        if self.woken_by_interrupt.replace(false) && !done() {
            self.deliver_interrupt();
        }
    }

    /// Suspends this task, which must be the one running and already queued as
    /// ready (`task::yield_now`); delivers interrupts like [`park`](Self::park).
    pub(crate) fn yield_now(&self) {
        self.deliver_interrupt();
        self.yielder.suspend();
        self.deliver_interrupt();
    }

    /// Unwinds the running task if an interrupt is pending and may be delivered.
    #[inline]
    pub(crate) fn deliver_interrupt(&self) {
        if self.interrupt.get().is_some() {
            self.deliver_pending();
        }
    }

    #[cold]
    #[inline(never)]
    fn deliver_pending(&self) {
        if self.unwinding.get() || std::thread::panicking() {
            return;
        }
        let Some(interrupt) = self.interrupt.take() else {
            return;
        };
        if interrupt == Interrupt::Cancel {
            self.cancelled.set(true);
        }
        // resume_unwind: no panic hook, so no "task panicked" report.
        std::panic::resume_unwind(Box::new(Interrupted(interrupt)));
    }

    /// Asks for `interrupt` to be delivered. Returns `true` if the task is
    /// parked and must be made ready for that (the caller queues it); its
    /// current park has then ended.
    pub(crate) fn request_interrupt(&self, interrupt: Interrupt) -> bool {
        if self.state.get() == State::Done || self.cancelled.get() {
            return false;
        }
        let merged = match self.interrupt.get() {
            Some(pending) => pending.stronger(interrupt),
            None => interrupt,
        };
        self.interrupt.set(Some(merged));
        match self.state.get() {
            State::Parked(Park::Internal | Park::User) => {
                self.park_seq.set(self.park_seq.get().wrapping_add(1));
                self.woken_by_interrupt.set(true);
                true
            }
            _ => false,
        }
    }

    /// Withdraws a pending deadline interrupt of timeout scope `scope` (the
    /// scope ended before it was delivered).
    pub(crate) fn withdraw_deadline(&self, scope: u64) {
        if self.interrupt.get() == Some(Interrupt::Deadline(scope)) {
            self.interrupt.set(None);
        }
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
    #[inline]
    pub(crate) fn for_next_park(task: Rc<TaskCell>) -> Waker {
        let seq = task.park_seq.get();
        Waker { task, seq }
    }

    /// Ends the park this waker was made for and returns the task to make
    /// ready; `None` if that park already ended (or has not begun).
    #[inline]
    pub(crate) fn end_park(&self) -> Option<&Rc<TaskCell>> {
        self.is_live().then(|| {
            self.task.park_seq.set(self.seq.wrapping_add(1));
            &self.task
        })
    }

    /// [`end_park`](Self::end_park), handing over the waker's reference to the task.
    #[inline]
    pub(crate) fn into_end_park(self) -> Option<Rc<TaskCell>> {
        self.end_park().is_some().then_some(self.task)
    }

    #[inline]
    fn is_live(&self) -> bool {
        self.task.state.get() == State::Parked(Park::Internal)
            && self.task.park_seq.get() == self.seq
    }

    /// Whether both wake the same park of the same task.
    #[inline]
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
    fn interrupt_requests_merge_to_the_strongest_and_wake_parked_tasks() {
        let t = task();
        t.state.set(State::Running);
        assert!(
            !t.request_interrupt(Interrupt::Deadline(5)),
            "running: no wake"
        );
        assert!(!t.request_interrupt(Interrupt::Deadline(3)));
        assert_eq!(
            t.interrupt.get(),
            Some(Interrupt::Deadline(3)),
            "outer scope wins"
        );
        t.withdraw_deadline(5);
        assert_eq!(
            t.interrupt.get(),
            Some(Interrupt::Deadline(3)),
            "not that scope's"
        );
        t.withdraw_deadline(3);
        assert_eq!(t.interrupt.get(), None);

        t.state.set(State::Parked(Park::Internal));
        let stale = Waker::for_next_park(t.clone());
        assert!(
            t.request_interrupt(Interrupt::Deadline(9)),
            "parked: wake it"
        );
        assert!(stale.end_park().is_none(), "the interrupted park has ended");
        assert!(t.request_interrupt(Interrupt::Cancel));
        assert_eq!(t.interrupt.get(), Some(Interrupt::Cancel));

        t.state.set(State::Parked(Park::Forever));
        assert!(
            !t.request_interrupt(Interrupt::Cancel),
            "exit's park is final"
        );
        t.cancelled.set(true);
        t.state.set(State::Parked(Park::User));
        assert!(!t.request_interrupt(Interrupt::Cancel), "already cancelled");
        t.state.set(State::Done);
        assert!(!t.request_interrupt(Interrupt::Cancel));
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
