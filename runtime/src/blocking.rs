//! `spawn_blocking`: run a blocking function on a small thread pool while the
//! calling coroutine waits and the others run on.
//!
//! The pool is shared by every runtime in the process. A finished job puts its
//! result on its runtime's completion list and wakes that runtime's loop through a
//! `mio::Waker`; the loop hands the result to the waiting task.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use slab::Slab;

use crate::reactor::{Reactor, WAKER_TOKEN};
use crate::runtime::Runtime;
use crate::scheduler::Scheduler;
use crate::task::cell::{park_internal, Waker};

/// Most threads the pool runs at once; further jobs queue.
const MAX_THREADS: usize = 16;

/// A pool thread with no job for this long exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

type Outcome = thread::Result<Box<dyn Any + Send>>;
type Job = Box<dyn FnOnce() + Send>;

/// Runs `f` on a pool thread and suspends the calling coroutine until it returns;
/// other coroutines keep running meanwhile. A panic in `f` continues in the caller.
///
/// Outside a runtime, `f` simply runs on the calling thread.
///
/// ```
/// use silly_runtime::{run, task};
/// let n = run(|| task::spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)));
/// assert!(n > 0);
/// ```
pub fn spawn_blocking<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let Some(rt) = Runtime::try_current().filter(|rt| rt.scheduler.in_task()) else {
        return f();
    };
    let call = rt.blocking.start(Waker::current());
    let completions = rt.blocking.completions.clone();
    let (slot, id) = (call.slot, call.id);
    pool().submit(Box::new(move || {
        let outcome: Outcome =
            catch_unwind(AssertUnwindSafe(|| Box::new(f()) as Box<dyn Any + Send>));
        completions.push(slot, id, outcome);
    }));
    let outcome = loop {
        park_internal();
        if let Some(outcome) = rt.blocking.take(&call) {
            break outcome;
        }
        rt.blocking.rearm(&call, Waker::current());
    };
    drop(call);
    match outcome {
        Ok(value) => *value
            .downcast::<R>()
            .expect("blocking result has the caller's type"),
        Err(payload) => resume_unwind(payload),
    }
}

/// Results handed from pool threads to one runtime.
pub(crate) struct Completions {
    done: Mutex<Vec<(usize, u64, Outcome)>>,
    waker: mio::Waker,
}

impl Completions {
    fn push(&self, slot: usize, id: u64, outcome: Outcome) {
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
struct PendingCall<'a> {
    blocking: &'a Blocking,
    slot: usize,
    id: u64,
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
    pub(crate) fn new(reactor: &Reactor) -> io::Result<Self> {
        let waker = mio::Waker::new(&reactor.registry()?, WAKER_TOKEN)?;
        Ok(Blocking {
            completions: Arc::new(Completions {
                done: Mutex::new(Vec::new()),
                waker,
            }),
            calls: RefCell::new(Slab::new()),
            next_id: Cell::new(0),
        })
    }

    pub(crate) fn pending(&self) -> usize {
        self.calls.borrow().len()
    }

    fn start(&self, waker: Waker) -> PendingCall<'_> {
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

    fn take(&self, call: &PendingCall<'_>) -> Option<Outcome> {
        let mut calls = self.calls.borrow_mut();
        calls.get_mut(call.slot).and_then(|c| c.outcome.take())
    }

    fn rearm(&self, call: &PendingCall<'_>, waker: Waker) {
        if let Some(c) = self.calls.borrow_mut().get_mut(call.slot) {
            c.waker = Some(waker);
        }
    }

    /// Moves finished jobs' results to their calls and wakes the callers.
    pub(crate) fn collect(&self, scheduler: &Scheduler) {
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
                    waker.wake_in(scheduler);
                }
            }
        }
    }
}

struct Pool {
    state: Mutex<PoolState>,
    job_ready: Condvar,
}

struct PoolState {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(PoolState {
            jobs: VecDeque::new(),
            threads: 0,
            idle: 0,
        }),
        job_ready: Condvar::new(),
    })
}

impl Pool {
    fn submit(&'static self, job: Job) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.jobs.push_back(job);
        // Idle threads may not have woken to take earlier jobs yet: count jobs,
        // not just whether some thread idles, or a burst runs on one thread.
        if state.jobs.len() > state.idle && state.threads < MAX_THREADS {
            let spawned = thread::Builder::new()
                .name("silly-blocking".into())
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
                state.threads -= 1;
                return;
            }
        }
    }
}
