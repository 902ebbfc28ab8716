//! `spawn_on`: start a task on another runtime and join it from here.

use std::fmt;

use super::builder::fork;
use super::error::JoinError;
use crate::context::RuntimeHandle;
use crate::sync::remote;

/// Runs `f` as a new task on `runtime` (which may be the caller's own) and
/// returns a handle whose [`join`](RemoteJoinHandle::join) waits for its
/// result from any coroutine or thread. `f` and its result cross threads, so
/// both are `Send`; everything `f` creates stays on `runtime`.
///
/// A runtime stops when its main task returns; one that serves others keeps
/// its main task waiting, here until runtime 0 says it is done:
///
/// ```
/// use silly_runtime::sync::remote;
/// use silly_runtime::{runtime_index, runtimes, task, Builder};
/// use std::sync::Mutex;
///
/// let (done, wait_done) = remote::channel::<()>();
/// let wait_done = Mutex::new(Some(wait_done));
/// let values = Builder::new().threads(2).run_each(move || {
///     if runtime_index() == 1 {
///         let wait_done = wait_done.lock().unwrap().take().unwrap();
///         let _ = wait_done.recv();
///         return 0;
///     }
///     let other = runtimes()[1].clone();
///     let v = task::spawn_on(&other, || runtime_index() * 10).join().unwrap();
///     done.send(()).unwrap();
///     v
/// });
/// assert_eq!(values, [10, 0]);
/// ```
pub fn spawn_on<T, F>(runtime: &RuntimeHandle, f: F) -> RemoteJoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = remote::bounded(1);
    let started = runtime.inbox.post(Box::new(move || {
        let task = fork(f);
        let id = task.task().id();
        fork(move || {
            let _ = tx.send((id, task.join()));
        });
    }));
    RemoteJoinHandle {
        result: rx,
        refused: started.is_err(),
    }
}

/// Waits for a task started with [`spawn_on`]. `Send`: it may be joined from
/// any runtime or thread.
pub struct RemoteJoinHandle<T> {
    result: remote::Receiver<(u64, Result<T, JoinError>)>,
    /// The runtime had stopped before the task could be handed to it.
    refused: bool,
}

impl<T> fmt::Debug for RemoteJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJoinHandle").finish_non_exhaustive()
    }
}

impl<T> RemoteJoinHandle<T> {
    /// Waits until the task ends (suspending the calling coroutine, or
    /// blocking a plain thread); returns its value, or how it failed.
    ///
    /// # Errors
    ///
    /// A [`JoinError`]: the task panicked or was cancelled, or never started
    /// because its runtime had stopped or stopped first.
    ///
    /// # Interrupts
    ///
    /// The handle is dropped: the task runs on in its runtime, its result is dropped.
    pub fn join(self) -> Result<T, JoinError> {
        if self.refused {
            return Err(JoinError::not_started(0, "its runtime had stopped".into()));
        }
        match self.result.recv() {
            Ok((_, outcome)) => outcome,
            Err(_) => Err(JoinError::not_started(
                0,
                "its runtime stopped before the task ended".into(),
            )),
        }
    }
}
