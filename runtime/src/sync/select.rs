//! Waiting for the first of several things: a message on one of several
//! channels, a socket that became readable, a deadline.
//!
//! A [`Select`] parks the calling coroutine once, watched by everything it was
//! given; the first that may be ready wakes it, and it tells which one is. It
//! then returns that operation's index and the caller completes it without
//! blocking (`try_recv`, a read): nothing else runs in between, so what was
//! ready stays ready. This is crossbeam's `Select::ready` made for coroutines.

use std::fmt;
use std::time::{Duration, Instant};

use super::channel::Receiver;
use super::selectable::{SelectWaiter, Selectable, Watch};
use crate::context;
use crate::time::deadline::deadline;
use crate::time::elapsed::Elapsed;

/// Waits for the first of several operations to be ready.
///
/// Add operations, then call [`ready`](Self::ready) (or a timed variant): it
/// returns the index [`add`](Self::add) gave the operation that is ready, and
/// the caller completes that one. When several are ready, they take turns
/// across calls on one `Select`, so none starves.
///
/// ```
/// use silly_runtime::sync::{channel, Select};
/// use silly_runtime::{run, task, time};
/// use std::time::Duration;
///
/// run(|| {
///     let (orders_tx, orders) = channel::<u32>();
///     let (_cancel_tx, cancel) = channel::<()>();
///     task::fork(move || {
///         time::sleep(Duration::from_millis(5));
///         orders_tx.send(42).unwrap();
///     });
///     let mut select = Select::new();
///     let order = select.recv(&orders);
///     let stop = select.recv(&cancel);
///     match select.ready_timeout(Duration::from_secs(1)) {
///         Ok(i) if i == order => assert_eq!(orders.try_recv(), Ok(42)),
///         Ok(i) if i == stop => unreachable!("nobody cancelled"),
///         Ok(_) => unreachable!(),
///         Err(_elapsed) => unreachable!("the order came in time"),
///     }
/// });
/// ```
pub struct Select<'a> {
    ops: Vec<&'a dyn Selectable>,
    /// Where the next scan for a ready operation starts (round robin).
    next: usize,
}

impl Default for Select<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Select<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("operations", &self.ops.len())
            .finish()
    }
}

impl<'a> Select<'a> {
    /// A select with no operation yet.
    pub fn new() -> Self {
        Select {
            ops: Vec::new(),
            next: 0,
        }
    }

    /// Adds an operation; returns its index.
    pub fn add(&mut self, op: &'a dyn Selectable) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// Adds receiving on `receiver`; returns its index.
    pub fn recv<T>(&mut self, receiver: &'a Receiver<T>) -> usize {
        self.add(receiver)
    }

    /// The index of an operation that is ready now, if any.
    pub fn try_ready(&mut self) -> Option<usize> {
        let n = self.ops.len();
        let found = (0..n)
            .map(|k| (self.next + k) % n)
            .find(|&i| self.ops[i].is_ready())?;
        self.next = found + 1;
        Some(found)
    }

    /// Suspends the calling coroutine until one operation is ready; returns
    /// its index.
    ///
    /// # Panics
    ///
    /// Panics if no operation was added (nothing could end the wait), or
    /// outside a coroutine.
    ///
    /// # Interrupts
    ///
    /// Whole: readiness is only looked at, never consumed; every watch is withdrawn.
    pub fn ready(&mut self) -> usize {
        assert!(
            !self.ops.is_empty(),
            "silly: Select::ready with no operation would wait forever"
        );
        match self.wait(None) {
            Ok(i) => i,
            Err(Elapsed) => unreachable!("no deadline"),
        }
    }

    /// [`ready`](Self::ready), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`Elapsed`] if nothing was ready in time.
    ///
    /// # Interrupts
    ///
    /// Whole: as for [`ready`](Self::ready).
    pub fn ready_timeout(&mut self, timeout: Duration) -> Result<usize, Elapsed> {
        self.wait(deadline(Some(timeout)))
    }

    /// [`ready`](Self::ready), waiting until `deadline` at most.
    ///
    /// # Errors
    ///
    /// [`Elapsed`] if nothing was ready in time.
    ///
    /// # Interrupts
    ///
    /// Whole: as for [`ready`](Self::ready).
    pub fn ready_until(&mut self, deadline: Instant) -> Result<usize, Elapsed> {
        self.wait(Some(deadline))
    }

    fn wait(&mut self, deadline: Option<Instant>) -> Result<usize, Elapsed> {
        loop {
            if let Some(i) = self.try_ready() {
                return Ok(i);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Elapsed);
            }
            let waiter = SelectWaiter::new(context::waker());
            let watches: Vec<Watch<'_>> = self.ops.iter().map(|op| op.watch(&waiter)).collect();
            context::park_until(deadline);
            drop(watches);
        }
    }
}
