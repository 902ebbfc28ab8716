//! Waiting for a group of tasks.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use super::wait_list::WaitList;
use crate::task::{self, JoinHandle};

/// Counts outstanding work; [`wait`](Self::wait) suspends until the count is zero
/// (silly's `sync.waitgroup`). Cloning shares the same counter.
///
/// ```
/// use silly_runtime::{run, sync::WaitGroup, time};
/// use std::time::Duration;
/// run(|| {
///     let wg = WaitGroup::new();
///     for ms in [3, 1, 2] {
///         wg.fork(move || time::sleep(Duration::from_millis(ms)));
///     }
///     wg.wait();
///     assert_eq!(wg.count(), 0);
/// });
/// ```
#[derive(Clone, Default)]
pub struct WaitGroup {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    count: Cell<usize>,
    waiters: WaitList,
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup")
            .field("count", &self.count())
            .finish()
    }
}

impl WaitGroup {
    /// A group with a count of zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The outstanding count.
    pub fn count(&self) -> usize {
        self.inner.count.get()
    }

    /// Adds `n` to the count.
    pub fn add(&self, n: usize) {
        self.inner.count.set(self.inner.count.get() + n);
    }

    /// Subtracts one; at zero, wakes every waiter.
    ///
    /// # Panics
    ///
    /// Panics if the count is already zero (more `done` than `add`: a bug).
    pub fn done(&self) {
        let count = self.inner.count.get();
        assert!(count > 0, "WaitGroup::done called more times than add");
        self.inner.count.set(count - 1);
        if count == 1 {
            self.inner.waiters.notify_all();
        }
    }

    /// Forks `f` as a task counted in this group; the count drops when it ends,
    /// also when it panics.
    pub fn fork<T: 'static>(&self, f: impl FnOnce() -> T + 'static) -> JoinHandle<T> {
        self.add(1);
        let done = DoneOnDrop(self.clone());
        task::fork(move || {
            let _done = done;
            f()
        })
    }

    /// Suspends the calling coroutine until the count is zero.
    ///
    /// # Interrupts
    ///
    /// Whole: the count is not touched.
    pub fn wait(&self) {
        while self.count() > 0 {
            self.inner.waiters.wait(|_| {});
        }
    }
}

struct DoneOnDrop(WaitGroup);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}
