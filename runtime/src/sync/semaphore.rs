//! A counting semaphore with FIFO handoff.

use std::cell::Cell;
use std::fmt;

use super::wait_list::WaitList;

/// Limits how many tasks hold a permit at once. Waiters are served in arrival
/// order: a released permit goes straight to the first waiter, so a task that
/// keeps re-acquiring cannot starve the others.
///
/// ```
/// use silly_runtime::{run, sync::Semaphore};
/// run(|| {
///     let sem = Semaphore::new(2);
///     let a = sem.acquire();
///     let _b = sem.acquire();
///     assert!(sem.try_acquire().is_none());
///     drop(a);
///     assert!(sem.try_acquire().is_some());
/// });
/// ```
pub struct Semaphore {
    permits: Cell<usize>,
    waiters: WaitList,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.permits.get())
            .field("waiting", &self.waiters.len())
            .finish()
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits available.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            permits: Cell::new(permits),
            waiters: WaitList::default(),
        }
    }

    /// Permits available now.
    pub fn available(&self) -> usize {
        self.permits.get()
    }

    /// Takes a permit, suspending the calling coroutine until one is free.
    ///
    /// # Interrupts
    ///
    /// Whole: no permit is taken; one handed to this waiter before it could run passes
    /// to the next one.
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        self.acquire_raw();
        SemaphorePermit { semaphore: self }
    }

    /// Takes a permit if one is free and nobody waits before us.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        // Not `then_some`: it would build the permit (and so release one on
        // its drop) when none was taken.
        self.try_acquire_raw()
            .then(|| SemaphorePermit { semaphore: self })
    }

    /// Adds `n` permits, handing them to waiters first.
    pub fn add_permits(&self, n: usize) {
        for _ in 0..n {
            self.release_raw();
        }
    }

    pub(crate) fn try_acquire_raw(&self) -> bool {
        if self.permits.get() > 0 && self.waiters.is_empty() {
            self.permits.set(self.permits.get() - 1);
            true
        } else {
            false
        }
    }

    pub(crate) fn acquire_raw(&self) {
        if self.try_acquire_raw() {
            return;
        }
        // A picked waiter was handed the permit by `release_raw`; if it is unwound
        // before it runs, it passes the permit on.
        while !self.waiters.wait(|picked| {
            if picked {
                self.release_raw()
            }
        }) {}
    }

    pub(crate) fn release_raw(&self) {
        if !self.waiters.notify_one() {
            self.permits.set(self.permits.get() + 1);
        }
    }
}

/// A permit of a [`Semaphore`]; dropping it releases the permit.
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken for good (the semaphore has one fewer).
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release_raw();
    }
}
