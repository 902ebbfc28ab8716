//! A FIFO-fair mutex for coroutines.

use std::cell::{RefCell, RefMut};
use std::fmt;
use std::ops::{Deref, DerefMut};

use super::semaphore::Semaphore;

/// Mutual exclusion across suspension points: a task may hold the guard while it
/// sleeps or does I/O, and other tasks that lock wait (suspended) in arrival order.
/// Unlock hands the lock directly to the first waiter.
///
/// Within one coroutine's straight-line code a `RefCell` is enough; use this when
/// the critical section can suspend.
///
/// ```
/// use silly_runtime::{run, sync::Mutex, task, time};
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// run(|| {
///     let m = Rc::new(Mutex::new(Vec::new()));
///     let tasks: Vec<_> = (0..3).map(|i| {
///         let m = m.clone();
///         task::fork(move || {
///             let mut g = m.lock();
///             time::sleep(Duration::from_millis(1)); // holds the lock while suspended
///             g.push(i);
///         })
///     }).collect();
///     for t in tasks { t.join().unwrap(); }
///     assert_eq!(*m.lock(), [0, 1, 2]);
/// });
/// ```
pub struct Mutex<T> {
    lock: Semaphore,
    value: RefCell<T>,
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.value.try_borrow() {
            Ok(v) => d.field("value", &*v),
            Err(_) => d.field("value", &"<locked>"),
        };
        d.finish()
    }
}

impl<T: Default> Default for Mutex<T> {
    /// An unlocked mutex holding `T::default()`.
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Mutex {
            lock: Semaphore::new(1),
            value: RefCell::new(value),
        }
    }

    /// Locks, suspending the calling coroutine while another task holds the lock.
    ///
    /// # Interrupts
    ///
    /// Whole: the lock is not taken; if it was handed to this waiter before it could
    /// run, it passes to the next one.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.lock.acquire_raw();
        self.guard()
    }

    /// Locks if the lock is free and nobody waits for it.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.lock.try_acquire_raw().then(|| self.guard())
    }

    fn guard(&self) -> MutexGuard<'_, T> {
        MutexGuard {
            // The semaphore admits one holder at a time, so this borrow never
            // conflicts; it is released before the permit (field order).
            value: Some(self.value.borrow_mut()),
            lock: &self.lock,
        }
    }

    /// The value, when no lock can be held (we own the mutex).
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// Mutable access without locking: `&mut self` proves nobody holds the lock.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

/// Access to a locked [`Mutex`]'s value; dropping it unlocks.
pub struct MutexGuard<'a, T> {
    value: Option<RefMut<'a, T>>,
    lock: &'a Semaphore,
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
            .as_ref()
            .expect("guard holds the value until drop")
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_mut()
            .expect("guard holds the value until drop")
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.value.take();
        self.lock.release_raw();
    }
}
