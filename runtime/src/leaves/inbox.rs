//! The part of a runtime other threads may touch: a queue of closures for its
//! loop to run, and the `mio::Waker` that ends its `epoll_wait`.
//!
//! Everything that crosses threads into a runtime comes through here as a
//! closure: a blocking-pool result for the task that waits for it, a wake-up
//! for a coroutine parked on a cross-runtime channel, a task to start
//! (`task::spawn_on`). The loop runs them on its own stack, where the
//! runtime's `!Send` state is at hand. The waker is written once per batch:
//! posts that find the inbox already signalled add to the queue only.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A closure another thread hands to the runtime's loop.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Inbox {
    jobs: Mutex<Vec<Job>>,
    /// Set by the first post since the loop last took the jobs; later posts
    /// need not write the waker again.
    signalled: AtomicBool,
    /// Set once the runtime has stopped: posts are refused.
    closed: AtomicBool,
    waker: mio::Waker,
}

impl Inbox {
    /// An inbox whose posts wake the loop with `waker`.
    pub(crate) fn new(waker: mio::Waker) -> Self {
        Inbox {
            jobs: Mutex::new(Vec::new()),
            signalled: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            waker,
        }
    }

    /// Queues `job` for the loop and wakes it unless a post since its last
    /// [`take`](Self::take) already did. Gives the job back if the runtime has
    /// stopped.
    pub(crate) fn post(&self, job: Job) -> Result<(), Job> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if self.closed.load(Ordering::Acquire) {
            return Err(job);
        }
        jobs.push(job);
        drop(jobs);
        if !self.signalled.swap(true, Ordering::AcqRel) {
            let _ = self.waker.wake();
        }
        Ok(())
    }

    /// The jobs posted since the last call, in order. Posts that come after
    /// this signal the loop again.
    pub(crate) fn take(&self) -> Vec<Job> {
        self.signalled.store(false, Ordering::Release);
        std::mem::take(&mut *self.jobs.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Refuses further posts; returns what was queued (to drop on the
    /// runtime's thread).
    pub(crate) fn close(&self) -> Vec<Job> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        self.closed.store(true, Ordering::Release);
        std::mem::take(&mut *jobs)
    }
}
