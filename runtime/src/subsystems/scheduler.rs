//! The scheduler: the ready queue, the set of live tasks, the stack pool, and
//! the switch into a task's coroutine and back.
//!
//! It knows tasks and coroutines, not the runtime: whoever wakes a task puts it
//! in [`Scheduler::ready`], and the driver calls [`Scheduler::run_ready`].

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use slab::Slab;

use crate::leaves::cell::{Interrupt, Start, State, TaskCell};
use crate::leaves::coroutine::Coroutine;
use crate::leaves::overflow;
use crate::leaves::ready::ReadyQueue;
use crate::leaves::stack::StackPool;

/// Owner of the run queue.
pub(crate) struct Scheduler {
    /// Tasks to resume, in the order they became ready (silly order).
    ready: ReadyQueue,
    /// Every task forked and not finished, so shutdown can unwind the ones that
    /// nothing else references (a task parked on a channel nobody will send to).
    live: RefCell<Slab<Rc<TaskCell>>>,
    /// The task whose coroutine is executing, if any.
    current: RefCell<Option<Rc<TaskCell>>>,
    next_id: Cell<u64>,
    /// Stacks for coroutines that start, back from those that finish.
    stacks: RefCell<StackPool>,
}

impl Scheduler {
    pub(crate) fn new(stacks: StackPool) -> Self {
        Scheduler {
            ready: ReadyQueue::default(),
            live: RefCell::new(Slab::new()),
            current: RefCell::new(None),
            next_id: Cell::new(1),
            stacks: RefCell::new(stacks),
        }
    }

    /// Where woken tasks go.
    pub(crate) fn ready(&self) -> &ReadyQueue {
        &self.ready
    }

    pub(crate) fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Adds a new task to the live set and queues it.
    pub(crate) fn spawn(&self, task: Rc<TaskCell>) {
        let key = self.live.borrow_mut().insert(task.clone());
        task.live_key.set(key);
        self.ready.push(task);
    }

    pub(crate) fn current(&self) -> Option<Rc<TaskCell>> {
        self.current.borrow().clone()
    }

    pub(crate) fn in_task(&self) -> bool {
        self.current.borrow().is_some()
    }

    pub(crate) fn live_tasks(&self) -> usize {
        self.live.borrow().len()
    }

    pub(crate) fn idle_stacks(&self) -> usize {
        self.stacks.borrow().idle()
    }

    /// Runs ready tasks in FIFO order, those made ready meanwhile included, until
    /// the queue is empty, `max` tasks ran, or `stop` says so.
    pub(crate) fn run_ready(&self, max: usize, stop: &dyn Fn() -> bool) {
        for _ in 0..max {
            let Some(task) = self.ready.pop() else {
                return;
            };
            if task.state.get() == State::Ready {
                self.resume(task);
            }
            if stop() {
                return;
            }
        }
    }

    fn resume(&self, task: Rc<TaskCell>) {
        // The borrow is held while the coroutine runs: only the scheduler touches a
        // task's coroutine, and never the running one's (shutdown unwinds tasks
        // from the loop, not from inside a coroutine). Moving the coroutine out and
        // back instead costs a tenth of a switch.
        let mut slot = task.coroutine.borrow_mut();
        if slot.is_none() {
            match self.start(&task) {
                Some(c) => *slot = Some(c),
                None => return,
            }
        }
        let coroutine = slot.as_mut().expect("started above");
        task.state.set(State::Running);
        *self.current.borrow_mut() = Some(task.clone());
        overflow::enter(task.id, coroutine.guard_range(), coroutine.stack_size());
        let finished = coroutine.resume(&task.yielder);
        if !coroutine.canary_intact() {
            overflow::report_smashed_canary();
        }
        overflow::leave();
        self.current.borrow_mut().take();
        if finished {
            let coroutine = slot.take().expect("still here");
            drop(slot);
            self.finish(&task);
            self.stacks.borrow_mut().put(coroutine.into_stack());
        }
    }

    /// Builds the coroutine of a task that runs for the first time. Stacks are
    /// taken only now, so a million queued tasks that have not started cost no
    /// stack. A task cancelled before it started never runs.
    fn start(&self, task: &Rc<TaskCell>) -> Option<Coroutine> {
        let entry = task.entry.take()?;
        if task.interrupt.get() == Some(Interrupt::Cancel) {
            task.interrupt.set(None);
            task.cancelled.set(true);
            entry(Start::Cancelled);
            self.finish(task);
            return None;
        }
        let stack = {
            let mut stacks = self.stacks.borrow_mut();
            let size = task.stack_size.unwrap_or_else(|| stacks.default_size());
            stacks.get(size)
        };
        match stack {
            Ok(stack) => Some(Coroutine::new(stack, move || entry(Start::Run))),
            Err(err) => {
                log::error!("silly: task {} not started: no stack ({err})", task.id);
                // The entry fills the task's JoinHandle with the failure instead of
                // running the user's closure.
                entry(Start::NoStack(format!("no stack for the coroutine: {err}")));
                self.finish(task);
                None
            }
        }
    }

    fn finish(&self, task: &Rc<TaskCell>) {
        task.state.set(State::Done);
        let key = task.live_key.get();
        let mut live = self.live.borrow_mut();
        if live.get(key).is_some_and(|t| Rc::ptr_eq(t, task)) {
            live.remove(key);
        }
    }

    pub(crate) fn drain_live(&self) -> Vec<Rc<TaskCell>> {
        self.live.borrow_mut().drain().collect()
    }

    /// Drops a task's coroutine, unwinding it if it is suspended. Runs with the
    /// task as `current`, so its destructors see the runtime as they expect.
    pub(crate) fn unwind(&self, task: &Rc<TaskCell>) {
        task.unwinding.set(true);
        task.state.set(State::Done);
        let coroutine = task.coroutine.borrow_mut().take();
        let entry = task.entry.take();
        *self.current.borrow_mut() = Some(task.clone());
        if let Some(coroutine) = coroutine {
            overflow::enter(task.id, coroutine.guard_range(), coroutine.stack_size());
            drop(coroutine);
            overflow::leave();
        }
        drop(entry);
        let value = task.unpark_value.borrow_mut().take();
        drop(value);
        self.current.borrow_mut().take();
    }

    pub(crate) fn take_ready(&self) -> VecDeque<Rc<TaskCell>> {
        self.ready.take_all()
    }
}

#[cfg(test)]
mod tests;
