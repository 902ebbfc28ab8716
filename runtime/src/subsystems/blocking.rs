//! A runtime's side of blocking calls (`task::spawn_blocking`, `BlockingPool::run`):
//! which task waits for which job.
//!
//! A finished job posts its result to the runtime's [`Inbox`]; the loop then
//! hands it to [`Blocking::deliver`], which wakes the waiting task.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::thread;

use slab::Slab;

use crate::leaves::cell::Waker;
use crate::leaves::inbox::Inbox;
use crate::leaves::ready::ReadyQueue;

/// What a job returned (boxed), or the payload of its panic.
pub(crate) type Outcome = thread::Result<Box<dyn Any + Send>>;

struct Call {
    id: u64,
    waker: Option<Waker>,
    outcome: Option<Outcome>,
}

/// The runtime's side: which tasks wait for which job.
pub(crate) struct Blocking {
    inbox: Arc<Inbox>,
    calls: RefCell<Slab<Call>>,
    next_id: Cell<u64>,
}

/// One pending call; removes its slot when dropped (also when the waiting
/// coroutine is unwound), so a late result finds no one and is dropped.
pub(crate) struct PendingCall<'a> {
    blocking: &'a Blocking,
    pub(crate) slot: usize,
    pub(crate) id: u64,
}

impl Drop for PendingCall<'_> {
    fn drop(&mut self) {
        let mut calls = self.blocking.calls.borrow_mut();
        if calls.get(self.slot).is_some_and(|c| c.id == self.id) {
            calls.remove(self.slot);
        }
    }
}

impl Blocking {
    /// A runtime's side of the pool; finished jobs post to `inbox`.
    pub(crate) fn new(inbox: Arc<Inbox>) -> Self {
        Blocking {
            inbox,
            calls: RefCell::new(Slab::new()),
            next_id: Cell::new(0),
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.calls.borrow().len()
    }

    /// Where finished jobs post their results (shared with pool threads).
    pub(crate) fn inbox(&self) -> Arc<Inbox> {
        self.inbox.clone()
    }

    /// Records a call whose caller `waker` wakes when its result is collected.
    pub(crate) fn start(&self, waker: Waker) -> PendingCall<'_> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let slot = self.calls.borrow_mut().insert(Call {
            id,
            waker: Some(waker),
            outcome: None,
        });
        PendingCall {
            blocking: self,
            slot,
            id,
        }
    }

    /// The call's outcome, once collected.
    pub(crate) fn take(&self, call: &PendingCall<'_>) -> Option<Outcome> {
        let mut calls = self.calls.borrow_mut();
        calls.get_mut(call.slot).and_then(|c| c.outcome.take())
    }

    /// Replaces the call's waker (the caller parks again after a spurious wake).
    pub(crate) fn rearm(&self, call: &PendingCall<'_>, waker: Waker) {
        if let Some(c) = self.calls.borrow_mut().get_mut(call.slot) {
            c.waker = Some(waker);
        }
    }

    /// A finished job's result for call `(slot, id)`: kept for its caller,
    /// who is woken. Dropped if the call was abandoned.
    pub(crate) fn deliver(&self, slot: usize, id: u64, outcome: Outcome, ready: &ReadyQueue) {
        let unclaimed = {
            let mut calls = self.calls.borrow_mut();
            match calls.get_mut(slot).filter(|c| c.id == id) {
                Some(call) => {
                    call.outcome = Some(outcome);
                    if let Some(waker) = call.waker.take() {
                        ready.wake_owned(waker);
                    }
                    None
                }
                None => Some(outcome),
            }
        };
        // Dropped with no borrow held: the value's destructor may block again.
        drop(unclaimed);
    }
}
