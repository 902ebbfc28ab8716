//! Waking tasks that wait for something to happen, no value passed.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::wait_list::WaitList;
use crate::time::deadline::deadline;
use crate::time::elapsed::Elapsed;

/// Wakes tasks that wait for an event (tokio's `Notify`, for the coroutines of
/// one runtime). It carries no value: the waiter checks, once woken, whatever
/// state the event changed. Cloning shares the same notifier.
///
/// - [`notify_waiters`](Self::notify_waiters) wakes every task waiting at that
///   moment. With nobody waiting it does nothing, and nothing is remembered.
/// - [`notify_one`](Self::notify_one) wakes the task that has waited longest;
///   with nobody waiting it stores a permit, and the next wait returns at once.
///   Permits do not add up: there is at most one.
///
/// Check the condition before waiting and again after: a notification sent
/// before the wait began is lost unless it left a permit.
///
/// ```
/// use silly_runtime::{run, sync::Notify, task};
/// use std::{cell::Cell, rc::Rc};
///
/// run(|| {
///     let done = Rc::new(Cell::new(false));
///     let notify = Notify::new();
///     let (d, n) = (done.clone(), notify.clone());
///     let waiter = task::fork(move || {
///         while !d.get() {
///             n.wait();
///         }
///     });
///     task::yield_now(); // the waiter parks
///     done.set(true);
///     notify.notify_waiters();
///     waiter.join().unwrap();
///
///     notify.notify_one(); // nobody waits: a permit is kept
///     assert!(notify.wait_timeout(std::time::Duration::ZERO).is_ok());
/// });
/// ```
#[derive(Clone, Default)]
pub struct Notify {
    /// Shared by the clones, so any of them notifies the same waiters.
    shared: Rc<Shared>,
}

#[derive(Default)]
struct Shared {
    waiters: WaitList,
    /// Left by `notify_one` when nobody waited; taken by the next wait.
    permit: Cell<bool>,
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("waiting", &self.shared.waiters.len())
            .field("permit", &self.shared.permit.get())
            .finish()
    }
}

impl Notify {
    /// A notifier with nobody waiting and no permit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes the task that has waited longest, or, if none waits, stores a
    /// permit for the next [`wait`](Self::wait) (at most one).
    pub fn notify_one(&self) {
        if !self.shared.waiters.notify_one() {
            self.shared.permit.set(true);
        }
    }

    /// Wakes every task waiting now. Stores no permit: a wait that starts
    /// afterwards waits for the next notification.
    pub fn notify_waiters(&self) {
        let shared = &self.shared;
        shared.waiters.notify_all();
    }

    /// Suspends the calling coroutine until it is notified, or returns at once
    /// if a permit is stored (taking it).
    ///
    /// # Panics
    ///
    /// Panics outside a coroutine.
    ///
    /// # Interrupts
    ///
    /// Whole: a notification picked for this waiter goes to the next one, or is stored
    /// as the permit.
    pub fn wait(&self) {
        let _ = self.wait_deadline(None);
    }

    /// [`wait`](Self::wait), giving up at `deadline`: `Ok` if notified (or a
    /// permit was stored). A passing deadline ends only this task's wait.
    ///
    /// # Errors
    ///
    /// [`Elapsed`] if the deadline passed first.
    ///
    /// # Panics
    ///
    /// Panics outside a coroutine.
    ///
    /// # Interrupts
    ///
    /// Whole: as for [`wait`](Self::wait).
    pub fn wait_until(&self, deadline: Instant) -> Result<(), Elapsed> {
        self.wait_deadline(Some(deadline))
    }

    /// [`wait_until`](Self::wait_until) `timeout` from now. A zero timeout
    /// only takes a stored permit.
    ///
    /// # Errors
    ///
    /// [`Elapsed`] if the timeout passed first.
    ///
    /// # Interrupts
    ///
    /// Whole: as for [`wait`](Self::wait).
    pub fn wait_timeout(&self, timeout: Duration) -> Result<(), Elapsed> {
        self.wait_deadline(deadline(Some(timeout)))
    }

    fn wait_deadline(&self, deadline: Option<Instant>) -> Result<(), Elapsed> {
        let shared = &*self.shared;
        if shared.permit.replace(false) {
            return Ok(());
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Elapsed);
        }
        // A waiter picked by `notify_one` but unwound before it runs passes
        // the notification on, so it is not lost. Only this waiter's own
        // deadline ends its wait early: the others wait on.
        let picked = shared.waiters.wait_until(deadline, |picked| {
            if picked {
                self.notify_one();
            }
        });
        // Some(false): woken by `notify_waiters`; None: the deadline passed.
        picked.map(drop).ok_or(Elapsed)
    }
}
