//! Channels between coroutines: unbounded, bounded, and rendezvous.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::error::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use super::selectable::{SelectWaiter, Selectable, Watch};
use super::wait_list::WaitList;
use crate::time::deadline::deadline;

/// An unbounded channel: `send` never suspends. Senders and receivers can be
/// cloned; each message goes to one receiver, in order.
///
/// The channel closes when [`Sender::close`] or [`Receiver::close`] is called, when
/// every sender is dropped, or when every receiver is dropped. After that, sends
/// fail, and receivers get what is still queued, then [`RecvError`]. Receivers
/// suspended in `recv` are woken by the close.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    new(None)
}

/// A channel holding at most `capacity` queued messages: `send` suspends while it
/// is full. With capacity 0 it is a rendezvous: `send` returns `Ok` once a
/// receiver has taken the message, or `Err` with it if the channel closed first.
///
/// ```
/// use silly_runtime::{run, sync, task};
/// run(|| {
///     let (tx, rx) = sync::bounded(1);
///     let producer = task::fork(move || for i in 0..5 { tx.send(i).unwrap() });
///     let got: Vec<i32> = (0..5).map(|_| rx.recv().unwrap()).collect();
///     assert_eq!(got, [0, 1, 2, 3, 4]);
///     producer.join().unwrap();
/// });
/// ```
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    new(Some(capacity))
}

fn new<T>(capacity: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(Shared {
        queue: RefCell::new(VecDeque::new()),
        capacity,
        closed: Cell::new(false),
        senders: Cell::new(1),
        receivers: Cell::new(1),
        receiving: WaitList::default(),
        sending: WaitList::default(),
        handed_over: WaitList::default(),
        selecting: WaitList::default(),
        pushed: Cell::new(0),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

struct Shared<T> {
    /// Each message with its number (see `pushed`).
    queue: RefCell<VecDeque<(u64, T)>>,
    /// `None`: unbounded; `Some(0)`: rendezvous.
    capacity: Option<usize>,
    closed: Cell<bool>,
    senders: Cell<usize>,
    receivers: Cell<usize>,
    /// Receivers waiting for a message.
    receiving: WaitList,
    /// Senders waiting for room.
    sending: WaitList,
    /// Rendezvous senders waiting for their message to be taken.
    handed_over: WaitList,
    /// `Select`s watching for a message or the close (woken all at once).
    selecting: WaitList,
    /// Messages ever queued: the last number given. A rendezvous sender waits
    /// while its message's number is still queued, and takes it back from
    /// there if the channel closes or the sender is interrupted.
    pushed: Cell<u64>,
}

impl<T> Shared<T> {
    /// Queues `value` under the next number, which it returns, and wakes a
    /// receiver.
    fn push(&self, value: T) -> u64 {
        let number = self.pushed.get() + 1;
        self.pushed.set(number);
        self.queue.borrow_mut().push_back((number, value));
        self.receiving.notify_one();
        self.selecting.notify_all();
        number
    }

    fn is_queued(&self, number: u64) -> bool {
        self.queue.borrow().iter().any(|(n, _)| *n == number)
    }

    /// Takes message `number` back out of the queue, if no receiver took it.
    fn withdraw(&self, number: u64) -> Option<T> {
        let mut queue = self.queue.borrow_mut();
        let index = queue.iter().position(|(n, _)| *n == number)?;
        queue.remove(index).map(|(_, value)| value)
    }

    fn close(&self) {
        self.closed.set(true);
        self.receiving.notify_all();
        self.sending.notify_all();
        self.handed_over.notify_all();
        self.selecting.notify_all();
    }

    fn is_full(&self) -> bool {
        match self.capacity {
            None => false,
            Some(capacity) => self.queue.borrow().len() >= capacity.max(1),
        }
    }

    fn take(&self) -> Option<T> {
        let (_, value) = self.queue.borrow_mut().pop_front()?;
        self.sending.notify_one();
        if self.capacity == Some(0) {
            self.handed_over.notify_all();
        }
        Some(value)
    }
}

/// The sending side; clone it for more senders.
pub struct Sender<T> {
    shared: Rc<Shared<T>>,
}

/// The receiving side; clone it for more receivers.
pub struct Receiver<T> {
    shared: Rc<Shared<T>>,
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("queued", &self.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> Sender<T> {
    /// Queues `value` for a receiver, suspending while a bounded channel is full.
    ///
    /// # Errors
    ///
    /// Gives the value back in [`SendError`] if the channel is closed.
    ///
    /// # Interrupts
    ///
    /// Whole: either the value was queued (on a rendezvous channel: taken) and `send`
    /// returns `Ok` even if the deadline passed meanwhile, or it never will be: it is
    /// dropped with the unwind and no receiver sees it.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let shared = &*self.shared;
        loop {
            if shared.closed.get() {
                return Err(SendError(value));
            }
            if !shared.is_full() {
                break;
            }
            shared.sending.wait(|picked| {
                if picked {
                    shared.sending.notify_one();
                }
            });
        }
        let number = shared.push(value);
        if shared.capacity == Some(0) {
            while shared.is_queued(number) && !shared.closed.get() {
                // Interrupted before a receiver took it: the message leaves
                // the queue, so an interrupted send never delivers.
                shared.handed_over.wait_unless_done(
                    || !shared.is_queued(number),
                    |_| drop(shared.withdraw(number)),
                );
            }
            if let Some(value) = shared.withdraw(number) {
                // Closed before a receiver took it: hand it back.
                return Err(SendError(value));
            }
        }
        Ok(())
    }

    /// Queues `value` if there is room now; never suspends. On a rendezvous
    /// channel (capacity 0) it succeeds only if a receiver is waiting.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when a bounded channel is full,
    /// [`TrySendError::Closed`] when it is closed; both give the value back.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let shared = &*self.shared;
        if shared.closed.get() {
            return Err(TrySendError::Closed(value));
        }
        let room = match shared.capacity {
            Some(0) => shared.receiving.len() > shared.queue.borrow().len(),
            _ => !shared.is_full(),
        };
        if !room {
            return Err(TrySendError::Full(value));
        }
        shared.push(value);
        Ok(())
    }

    /// Closes the channel for every sender and receiver.
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.get() || self.shared.receivers.get() == 0
    }
}

impl<T> Receiver<T> {
    /// Takes the next message, suspending the calling coroutine while none is queued.
    ///
    /// # Errors
    ///
    /// [`RecvError`] once the channel is closed and drained.
    ///
    /// # Interrupts
    ///
    /// Whole: no message is taken; it stays queued for the next receive.
    pub fn recv(&self) -> Result<T, RecvError> {
        self.recv_before(None).map_err(|_| RecvError)
    }

    /// [`recv`](Self::recv), waiting at most `timeout`.
    ///
    /// ```
    /// use silly_runtime::sync::{channel, RecvTimeoutError};
    /// use std::time::Duration;
    ///
    /// silly_runtime::run(|| {
    ///     let (tx, rx) = channel::<u32>();
    ///     let quiet = rx.recv_timeout(Duration::from_millis(5));
    ///     assert_eq!(quiet, Err(RecvTimeoutError::Timeout));
    ///     tx.send(1).unwrap();
    ///     assert_eq!(rx.recv_timeout(Duration::from_millis(5)), Ok(1));
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] if no message came in time,
    /// [`RecvTimeoutError::Closed`] once the channel is closed and drained.
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
    /// As [`recv_timeout`](Self::recv_timeout).
    ///
    /// # Interrupts
    ///
    /// Whole: no message is taken.
    pub fn recv_until(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        self.recv_before(Some(deadline))
    }

    fn recv_before(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let shared = &*self.shared;
        loop {
            if let Some(value) = shared.take() {
                return Ok(value);
            }
            if shared.closed.get() {
                return Err(RecvTimeoutError::Closed);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(RecvTimeoutError::Timeout);
            }
            // Timed out or not, the loop looks at the queue once more.
            let _ = shared.receiving.wait_until(deadline, |picked| {
                if picked {
                    shared.receiving.notify_one();
                }
            });
        }
    }

    /// Takes the next message if one is queued.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if none is queued, [`TryRecvError::Closed`] if the
    /// channel is closed and drained.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.shared.take() {
            Some(value) => Ok(value),
            None if self.shared.closed.get() => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.shared.queue.borrow().len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes the channel; queued messages can still be received.
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether the channel is closed (messages may still be queued).
    pub fn is_closed(&self) -> bool {
        self.shared.closed.get()
    }
}

impl<T> Selectable for Receiver<T> {
    /// A message is queued, or the channel is closed: `try_recv` returns at once.
    fn is_ready(&self) -> bool {
        !self.shared.queue.borrow().is_empty() || self.shared.closed.get()
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        let selecting = &self.shared.selecting;
        let watcher = selecting.watch(waiter.waker());
        Watch::new(move || selecting.unwatch(&watcher))
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.set(self.shared.senders.get() + 1);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let n = self.shared.senders.get() - 1;
        self.shared.senders.set(n);
        if n == 0 {
            self.shared.close();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let n = self.shared.receivers.get() - 1;
        self.shared.receivers.set(n);
        if n == 0 {
            self.shared.close();
            // Nobody can receive them now: drop queued messages (sockets close)
            // instead of keeping them until the last sender goes. A rendezvous
            // queue holds only messages whose senders wait to take them back.
            if self.shared.capacity != Some(0) {
                let queued = std::mem::take(&mut *self.shared.queue.borrow_mut());
                drop(queued);
            }
        }
    }
}
