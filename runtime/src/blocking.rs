//! A runtime's side of blocking calls (`task::spawn_blocking`, `BlockingPool::run`):
//! which task waits for which job, and the list where pool threads file results.
//!
//! A finished job puts its result on its runtime's completion list and wakes
//! that runtime's loop through the `mio::Waker` the runtime gave it; the loop
//! then calls [`Blocking::collect`], which hands the result to the waiting task.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};
use std::thread;

use slab::Slab;

use crate::ready::ReadyQueue;
use crate::task::cell::Waker;

/// What a job returned (boxed), or the payload of its panic.
pub(crate) type Outcome = thread::Result<Box<dyn Any + Send>>;

/// Results handed from pool threads to one runtime.
pub(crate) struct Completions {
    done: Mutex<Vec<(usize, u64, Outcome)>>,
    waker: mio::Waker,
}

impl Completions {
    /// Called on a pool thread: files `outcome` for call `(slot, id)` and wakes
    /// the runtime's loop.
    pub(crate) fn push(&self, slot: usize, id: u64, outcome: Outcome) {
        self.done
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((slot, id, outcome));
        let _ = self.waker.wake();
    }
}

struct Call {
    id: u64,
    waker: Option<Waker>,
    outcome: Option<Outcome>,
}

/// The runtime's side: which tasks wait for which job.
pub(crate) struct Blocking {
    completions: Arc<Completions>,
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
    /// A runtime's side of the pool; finished jobs wake its loop with `waker`.
    pub(crate) fn new(waker: mio::Waker) -> Self {
        Blocking {
            completions: Arc::new(Completions {
                done: Mutex::new(Vec::new()),
                waker,
            }),
            calls: RefCell::new(Slab::new()),
            next_id: Cell::new(0),
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.calls.borrow().len()
    }

    /// Where finished jobs file their results (shared with pool threads).
    pub(crate) fn completions(&self) -> Arc<Completions> {
        self.completions.clone()
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

    /// Moves finished jobs' results to their calls and wakes the callers.
    pub(crate) fn collect(&self, ready: &ReadyQueue) {
        let done = std::mem::take(
            &mut *self
                .completions
                .done
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        let mut calls = self.calls.borrow_mut();
        for (slot, id, outcome) in done {
            if let Some(call) = calls.get_mut(slot).filter(|c| c.id == id) {
                call.outcome = Some(outcome);
                if let Some(waker) = call.waker.take() {
                    ready.wake_owned(waker);
                }
            }
        }
    }
}
