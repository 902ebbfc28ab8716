//! The ready queue: tasks to resume, in the order they became ready (silly
//! order, FIFO). Everything that wakes a task (I/O, timers, sync primitives,
//! the blocking pool) ends up here.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::leaves::cell::{State, TaskCell, Waker};

#[derive(Default)]
pub(crate) struct ReadyQueue {
    tasks: RefCell<VecDeque<Rc<TaskCell>>>,
}

impl ReadyQueue {
    /// Queues `task` at the back, marked ready.
    #[inline]
    pub(crate) fn push(&self, task: Rc<TaskCell>) {
        task.state.set(State::Ready);
        self.tasks.borrow_mut().push_back(task);
    }

    /// Queues the task `waker` parks, if that park has not ended yet.
    #[inline]
    pub(crate) fn wake(&self, waker: &Waker) {
        if let Some(task) = waker.end_park() {
            self.push(task.clone());
        }
    }

    /// [`wake`](Self::wake), moving the waker's task reference into the queue.
    #[inline]
    pub(crate) fn wake_owned(&self, waker: Waker) {
        if let Some(task) = waker.into_end_park() {
            self.push(task);
        }
    }

    #[inline]
    pub(crate) fn pop(&self) -> Option<Rc<TaskCell>> {
        self.tasks.borrow_mut().pop_front()
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.tasks.borrow().len()
    }

    /// Empties the queue (shutdown), returning what it held.
    pub(crate) fn take_all(&self) -> VecDeque<Rc<TaskCell>> {
        std::mem::take(&mut *self.tasks.borrow_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaves::cell::Park;

    fn parked(id: u64) -> Rc<TaskCell> {
        let t = Rc::new(TaskCell::new(id, None, None, Box::new(|_| {})));
        t.state.set(State::Parked(Park::Internal));
        t
    }

    #[test]
    fn wakes_in_order_and_once_per_park() {
        let queue = ReadyQueue::default();
        let (a, b) = (parked(1), parked(2));
        let wa = Waker::for_next_park(a.clone());
        queue.wake(&Waker::for_next_park(b.clone()));
        queue.wake(&wa);
        queue.wake_owned(wa.clone());
        assert_eq!(queue.len(), 2, "the second wake of one park is stale");
        assert_eq!(queue.pop().unwrap().id, 2);
        let first_a = queue.pop().unwrap();
        assert_eq!(first_a.id, 1);
        assert_eq!(first_a.state.get(), State::Ready);
        assert!(queue.pop().is_none());
    }
}
