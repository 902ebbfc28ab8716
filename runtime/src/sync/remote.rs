//! Channels between runtimes (and plain threads): the one way state crosses
//! cores in a multi-runtime process.
//!
//! The [`Sender`] is `Send + Clone` and works from any thread: a coroutine on
//! any runtime, or a plain OS thread. The [`Receiver`] is `Send` too, and
//! waits as a coroutine on the runtime it is used on (or, on a thread without
//! a runtime, blocks that thread). A sender wakes a parked receiver through its
//! runtime's inbox once per batch: while the receiver is awake, sends only
//! queue. On a bounded channel a full queue suspends a sending coroutine (its
//! runtime runs on) and blocks a sending thread.
//!
//! ```
//! use silly_runtime::sync::remote;
//!
//! silly_runtime::run(|| {
//!     let (tx, rx) = remote::channel::<u64>();
//!     let producer = std::thread::spawn(move || {
//!         for n in 0..1000 {
//!             tx.send(n).unwrap();
//!         }
//!     });
//!     let sum: u64 = (0..1000).map(|_| rx.recv().unwrap()).sum();
//!     assert_eq!(sum, 499_500);
//!     producer.join().unwrap();
//! });
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use crate::context::{self, RemoteWaker};
use crate::time::deadline::deadline;

/// A channel between runtimes with an unbounded queue.
pub fn channel<T: Send>() -> (Sender<T>, Receiver<T>) {
    new(None)
}

/// A channel between runtimes holding at most `capacity` messages (at least
/// one); senders wait while it is full.
pub fn bounded<T: Send>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    new(Some(capacity.max(1)))
}

fn new<T: Send>(capacity: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            capacity,
            senders: 1,
            receiver_alive: true,
            receiver: None,
            blocked_senders: VecDeque::new(),
            threads_waiting_for_room: 0,
            thread_receiving: false,
        }),
        room: Condvar::new(),
        message: Condvar::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Plain-thread senders waiting for room.
    room: Condvar,
    /// A plain-thread receiver waiting for a message.
    message: Condvar,
}

struct State<T> {
    queue: VecDeque<T>,
    capacity: Option<usize>,
    senders: usize,
    receiver_alive: bool,
    /// The receiving coroutine, if it is parked waiting for a message.
    receiver: Option<RemoteWaker>,
    /// Sending coroutines parked on a full queue, in order.
    blocked_senders: VecDeque<RemoteWaker>,
    threads_waiting_for_room: usize,
    thread_receiving: bool,
}

impl<T> State<T> {
    fn has_room(&self) -> bool {
        self.capacity.is_none_or(|c| self.queue.len() < c)
    }
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether the calling code runs in a coroutine (it can park) or on a plain
/// thread (it blocks).
fn in_coroutine() -> bool {
    context::try_current_task().is_some()
}

/// The sending side: `Send + Clone`, usable from any thread.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving side: one per channel, `Send`; it waits as a coroutine.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("remote::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("remote::Receiver")
            .field("queued", &self.len())
            .finish()
    }
}

impl<T> Sender<T> {
    /// Queues `value`, waiting while a bounded channel is full (a coroutine
    /// parks, a plain thread blocks).
    ///
    /// # Errors
    ///
    /// [`SendError`] (with the value) once the receiver is gone.
    ///
    /// # Interrupts
    ///
    /// Whole: the value is queued and `send` returns, or it is dropped with the unwind
    /// and never received; room it was woken for goes to the next sender.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let mut state = self.shared.lock();
        loop {
            if !state.receiver_alive {
                return Err(SendError(value));
            }
            if state.has_room() {
                return {
                    self.push(state, value);
                    Ok(())
                };
            }
            if in_coroutine() {
                let (waker, _wait) = context::remote_waker();
                let queued = QueuedSender {
                    shared: &self.shared,
                    id: waker.id(),
                };
                state.blocked_senders.push_back(waker);
                drop(state);
                context::park();
                drop(queued);
                state = self.shared.lock();
            } else {
                state.threads_waiting_for_room += 1;
                state = self
                    .shared
                    .room
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
                state.threads_waiting_for_room -= 1;
            }
        }
    }

    /// Queues `value` if there is room now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], with the value.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let state = self.shared.lock();
        if !state.receiver_alive {
            return Err(TrySendError::Closed(value));
        }
        if !state.has_room() {
            return Err(TrySendError::Full(value));
        }
        self.push(state, value);
        Ok(())
    }

    /// Whether the receiver is gone (sends fail).
    pub fn is_closed(&self) -> bool {
        !self.shared.lock().receiver_alive
    }

    /// Queues `value` and wakes the receiver if it waits; the wake happens
    /// after the lock is released.
    fn push(&self, mut state: MutexGuard<'_, State<T>>, value: T) {
        state.queue.push_back(value);
        let receiver = state.receiver.take();
        let thread_receiving = state.thread_receiving;
        drop(state);
        if let Some(receiver) = receiver {
            receiver.wake();
        }
        if thread_receiving {
            self.shared.message.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the next message, waiting while none is queued.
    ///
    /// # Errors
    ///
    /// [`RecvError`] once every sender is gone and the queue is empty.
    ///
    /// # Interrupts
    ///
    /// Whole: no message is taken.
    pub fn recv(&self) -> Result<T, RecvError> {
        self.recv_before(None).map_err(|_| RecvError)
    }

    /// [`recv`](Self::recv), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] or [`RecvTimeoutError::Closed`].
    ///
    /// # Interrupts
    ///
    /// Whole: no message is taken.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.recv_before(deadline(Some(timeout)))
    }

    /// [`recv_timeout`](Self::recv_timeout) with the deadline as an instant.
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] or [`RecvTimeoutError::Closed`].
    ///
    /// # Interrupts
    ///
    /// Whole: no message is taken.
    pub fn recv_until(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        self.recv_before(Some(deadline))
    }

    /// Takes the next message if one is queued.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] or [`TryRecvError::Closed`].
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.shared.lock();
        match self.take(&mut state) {
            Some(value) => Ok(value),
            None if state.senders == 0 => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Whether no message is queued now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn recv_before(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let mut state = self.shared.lock();
        loop {
            if let Some(value) = self.take(&mut state) {
                return Ok(value);
            }
            if state.senders == 0 {
                return Err(RecvTimeoutError::Closed);
            }
            let now = deadline.map(|_| Instant::now());
            if let (Some(deadline), Some(now)) = (deadline, now) {
                if now >= deadline {
                    return Err(RecvTimeoutError::Timeout);
                }
            }
            if in_coroutine() {
                let (waker, _wait) = context::remote_waker();
                state.receiver = Some(waker);
                drop(state);
                context::park_until(deadline);
                state = self.shared.lock();
                state.receiver = None;
            } else {
                state.thread_receiving = true;
                state = match (deadline, now) {
                    (Some(deadline), Some(now)) => {
                        let wait = self.shared.message.wait_timeout(state, deadline - now);
                        wait.unwrap_or_else(|e| e.into_inner()).0
                    }
                    _ => self
                        .shared
                        .message
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner()),
                };
                state.thread_receiving = false;
            }
        }
    }

    /// Pops a message, making room for one waiting sender.
    fn take(&self, state: &mut MutexGuard<'_, State<T>>) -> Option<T> {
        let value = state.queue.pop_front()?;
        if let Some(sender) = state.blocked_senders.pop_front() {
            sender.wake();
        }
        if state.threads_waiting_for_room > 0 {
            self.shared.room.notify_one();
        }
        Some(value)
    }
}

/// A sending coroutine's place among the blocked senders. Dropped once it
/// wakes, or while it is unwound (cancelled): it leaves the queue, and a room
/// it was woken for but will not use goes to the next sender.
struct QueuedSender<'a, T> {
    shared: &'a Shared<T>,
    id: (usize, usize, u64),
}

impl<T> Drop for QueuedSender<'_, T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        let position = state.blocked_senders.iter().position(|w| w.id() == self.id);
        let next = match position {
            Some(i) => {
                state.blocked_senders.remove(i);
                None
            }
            // Woken for a room: if it is not going to use it, pass it on.
            None if std::thread::panicking() => state.blocked_senders.pop_front(),
            None => None,
        };
        drop(state);
        if let Some(next) = next {
            next.wake();
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        if state.senders > 0 {
            return;
        }
        let receiver = state.receiver.take();
        drop(state);
        if let Some(receiver) = receiver {
            receiver.wake();
        }
        self.shared.message.notify_all();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.receiver_alive = false;
        let senders = std::mem::take(&mut state.blocked_senders);
        // Nobody can receive them: dropped here, not by the last sender.
        let queued = std::mem::take(&mut state.queue);
        drop(state);
        for sender in senders {
            sender.wake();
        }
        self.shared.room.notify_all();
        drop(queued);
    }
}
