//! A FIFO list of parked tasks, the building block of every primitive here.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Instant;

use crate::context;
use crate::leaves::cell::Waker;

struct Waiter {
    waker: Waker,
    /// Set by `notify_one`: this waiter was taken off the list and, for handoff
    /// primitives, now owns what was handed to it.
    notified: Cell<bool>,
}

/// A waiter added by [`WaitList::watch`].
pub(crate) struct Watcher(Rc<Waiter>);

#[derive(Default)]
pub(crate) struct WaitList {
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
}

impl WaitList {
    pub(crate) fn is_empty(&self) -> bool {
        self.waiters.borrow().is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.waiters.borrow().len()
    }

    /// Parks the running task at the back of the list until `notify_one` picks it
    /// or `notify_all` runs. Returns `true` if it was picked by `notify_one`.
    ///
    /// If the task is unwound while parked, `on_abandon` runs with `true` if it had
    /// already been picked (so a primitive can pass on what it was handed), and the
    /// waiter leaves the list either way.
    pub(crate) fn wait(&self, on_abandon: impl FnOnce(bool)) -> bool {
        self.wait_until(None, on_abandon)
            .expect("without a deadline a wait ends only by a notify")
    }

    /// [`wait`](Self::wait), giving up at `deadline`: `None` then, and the
    /// waiter has left the list.
    pub(crate) fn wait_until(
        &self,
        deadline: Option<Instant>,
        on_abandon: impl FnOnce(bool),
    ) -> Option<bool> {
        let mut guard = self.enlist(on_abandon);
        context::park_until(deadline);
        guard.on_abandon = None;
        if guard.waiter.notified.get() {
            return Some(true);
        }
        // Still listed: nothing notified it, the deadline did.
        let mut waiters = self.waiters.borrow_mut();
        let listed = waiters.iter().position(|w| Rc::ptr_eq(w, &guard.waiter));
        match listed {
            Some(index) => {
                waiters.remove(index);
                None
            }
            None => Some(false),
        }
    }

    /// Parks the running task at the back of the list until a notify, like
    /// [`wait`](Self::wait), except that an interrupt is not delivered on
    /// waking if `done()` says what the task waits for has happened: the
    /// caller then returns its result, and the interrupt waits for the next
    /// park. On an unwind `on_abandon` runs as for `wait`.
    pub(crate) fn wait_unless_done(
        &self,
        done: impl FnOnce() -> bool,
        on_abandon: impl FnOnce(bool),
    ) {
        let mut guard = self.enlist(on_abandon);
        context::park_unless(done);
        guard.on_abandon = None;
        // Woken by the interrupt it did not deliver: still listed.
        self.waiters
            .borrow_mut()
            .retain(|w| !Rc::ptr_eq(w, &guard.waiter));
    }

    /// Puts the running task at the back of the list; the guard takes it off
    /// and runs `on_abandon` if the task is unwound before the guard is
    /// disarmed.
    fn enlist<F: FnOnce(bool)>(&self, on_abandon: F) -> Abandon<'_, F> {
        let waiter = Rc::new(Waiter {
            waker: context::waker(),
            notified: Cell::new(false),
        });
        self.waiters.borrow_mut().push_back(waiter.clone());
        Abandon {
            list: self,
            waiter,
            on_abandon: Some(on_abandon),
        }
    }

    /// Adds `waker` at the back of the list without parking (a `Select`
    /// watching several lists at once); [`unwatch`](Self::unwatch) takes it off.
    /// Meant for lists woken with `notify_all`: a `notify_one` that picks a
    /// watcher hands it nothing.
    pub(crate) fn watch(&self, waker: Waker) -> Watcher {
        let waiter = Rc::new(Waiter {
            waker,
            notified: Cell::new(false),
        });
        self.waiters.borrow_mut().push_back(waiter.clone());
        Watcher(waiter)
    }

    /// Takes a watcher off the list, if it is still there.
    pub(crate) fn unwatch(&self, watcher: &Watcher) {
        self.waiters
            .borrow_mut()
            .retain(|w| !Rc::ptr_eq(w, &watcher.0));
    }

    /// Wakes the first waiter; returns `false` if there was none.
    pub(crate) fn notify_one(&self) -> bool {
        let first = self.waiters.borrow_mut().pop_front();
        match first {
            Some(waiter) => {
                waiter.notified.set(true);
                context::wake(&waiter.waker);
                true
            }
            None => false,
        }
    }

    /// Wakes every waiter (they return `false` from `wait`).
    pub(crate) fn notify_all(&self) {
        let all = std::mem::take(&mut *self.waiters.borrow_mut());
        for waiter in all {
            context::wake(&waiter.waker);
        }
    }
}

struct Abandon<'a, F: FnOnce(bool)> {
    list: &'a WaitList,
    waiter: Rc<Waiter>,
    on_abandon: Option<F>,
}

impl<F: FnOnce(bool)> Drop for Abandon<'_, F> {
    fn drop(&mut self) {
        let Some(on_abandon) = self.on_abandon.take() else {
            return;
        };
        self.list
            .waiters
            .borrow_mut()
            .retain(|w| !Rc::ptr_eq(w, &self.waiter));
        on_abandon(self.waiter.notified.get());
    }
}
