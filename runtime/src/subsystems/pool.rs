//! Thread pools for blocking work: [`BlockingPool`].
//!
//! A pool is process-wide and shared by every runtime; it knows nothing of
//! coroutines. Jobs are plain `FnOnce() + Send` closures; the runtime side
//! (`blocking.rs`) wraps a caller's function into one that files its result
//! and wakes the caller's loop.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// A job as the pool threads see it.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// Threads of the default pool (the one [`spawn_blocking`] uses) unless
/// [`Builder::blocking_threads`] says otherwise.
///
/// [`spawn_blocking`]: crate::task::spawn_blocking
/// [`Builder::blocking_threads`]: crate::Builder::blocking_threads
pub const DEFAULT_BLOCKING_THREADS: usize = 16;

/// A pool thread with no job for this long exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The pool behind [`task::spawn_blocking`](crate::task::spawn_blocking).
pub(crate) static DEFAULT_POOL: BlockingPool =
    BlockingPool::new("silly-blocking", DEFAULT_BLOCKING_THREADS);

/// A set of threads that run blocking functions for coroutines, so a call
/// that blocks (a file read, a C library, name resolution, heavy computation)
/// holds up only the coroutine that made it.
///
/// [`task::spawn_blocking`](crate::task::spawn_blocking) uses the default
/// pool, sized by [`Builder::blocking_threads`](crate::Builder::blocking_threads).
/// Work that must not wait behind it gets a pool of its own: `silly-net`
/// resolves host names on one, so a burst of user jobs cannot delay a
/// `connect`. Threads start on demand, up to the pool's maximum; a thread idle
/// for 10 s exits. Further jobs queue in order.
///
/// ```
/// use silly_runtime::task::BlockingPool;
///
/// static FILES: BlockingPool = BlockingPool::new("files", 4);
///
/// let len = silly_runtime::run(|| FILES.run(|| std::fs::read("Cargo.toml").map(|b| b.len())));
/// assert!(len.unwrap() > 0);
/// ```
#[derive(Debug)]
pub struct BlockingPool {
    name: &'static str,
    max_threads: AtomicUsize,
    state: Mutex<PoolState>,
    job_ready: Condvar,
}

struct PoolState {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

impl std::fmt::Debug for PoolState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolState")
            .field("queued", &self.jobs.len())
            .field("threads", &self.threads)
            .field("idle", &self.idle)
            .finish()
    }
}

impl BlockingPool {
    /// A pool named `name` (its threads' name) that runs at most `max_threads`
    /// jobs at once (at least one). `const`, so a pool can be a `static`.
    pub const fn new(name: &'static str, max_threads: usize) -> Self {
        BlockingPool {
            name,
            max_threads: AtomicUsize::new(if max_threads == 0 { 1 } else { max_threads }),
            state: Mutex::new(PoolState {
                jobs: VecDeque::new(),
                threads: 0,
                idle: 0,
            }),
            job_ready: Condvar::new(),
        }
    }

    /// The most jobs that run at once.
    pub fn max_threads(&self) -> usize {
        self.max_threads.load(Ordering::Relaxed)
    }

    /// Changes the most jobs that run at once (at least one). Running jobs go
    /// on; a lower limit takes effect as threads finish theirs.
    pub fn set_max_threads(&self, max_threads: usize) {
        self.max_threads
            .store(max_threads.max(1), Ordering::Relaxed);
    }

    /// Jobs waiting for a free thread now.
    pub fn queued(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .jobs
            .len()
    }

    /// Runs `job` on a pool thread, starting one if all are busy and the limit
    /// allows.
    pub(crate) fn submit(&'static self, job: Job) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.jobs.push_back(job);
        // Idle threads may not have woken to take earlier jobs yet: count jobs,
        // not just whether some thread idles, or a burst runs on one thread.
        if state.jobs.len() > state.idle && state.threads < self.max_threads() {
            let spawned = thread::Builder::new()
                .name(self.name.into())
                .spawn(move || self.work());
            if spawned.is_ok() {
                state.threads += 1;
            }
        }
        drop(state);
        self.job_ready.notify_one();
    }

    fn work(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if state.threads > self.max_threads() {
                break; // the limit was lowered
            }
            if let Some(job) = state.jobs.pop_front() {
                drop(state);
                job();
                state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            state.idle += 1;
            let (next, timeout) = self
                .job_ready
                .wait_timeout(state, IDLE_TIMEOUT)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            state.idle -= 1;
            if timeout.timed_out() && state.jobs.is_empty() {
                break;
            }
        }
        state.threads -= 1;
    }
}
