//! Graceful shutdown: what a server tracks of its connections, and the token
//! through which a connection's handler sees that shutdown began.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::{Rc, Weak};
use std::time::Instant;

use silly_runtime::sync::Notify;
use silly_runtime::task::{self, JoinHandle, Task};
use silly_runtime::time::Elapsed;

/// A connection taken over from the server's handler (a WebSocket after its
/// upgrade) that has its own way to end cleanly. Registered with
/// [`ShutdownToken::on_shutdown`]; when shutdown begins, `shutdown` is called
/// in a coroutine forked then (so a connection costs no coroutine until then).
pub trait OnShutdown {
    /// Ends the connection cleanly (a WebSocket sends its close frame and
    /// completes the close handshake). May suspend; the server's grace
    /// deadline bounds it (the coroutine is cancelled then).
    fn shutdown(&self);
}

/// What [`Server::shutdown`](super::Server::shutdown) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Connections open when shutdown began that ended before the deadline
    /// (idle keep-alive connections closed at once included).
    pub finished: usize,
    /// Connections still open at the deadline, whose tasks were cancelled.
    pub forced: usize,
    /// Taken-over connections (WebSockets) asked to close
    /// ([`OnShutdown::shutdown`] called).
    pub notified: usize,
}

/// One connection's entry in its server's table.
struct Slot {
    /// The connection's task; set right after it is forked.
    task: OnceCell<Task>,
    /// The handler waits for the next request and holds no work.
    idle: Cell<bool>,
    /// Shutdown cancelled the task while it was idle.
    closed_idle: Cell<bool>,
}

/// The shutdown state of one server, shared by the server handle, the accept
/// loop and every connection's token.
#[derive(Default)]
pub(crate) struct Drain {
    begun: Cell<bool>,
    /// Woken when shutdown begins.
    begins: Notify,
    /// Open connections by key.
    slots: RefCell<HashMap<u64, Rc<Slot>>>,
    next_key: Cell<u64>,
    /// Woken each time a connection ends while shutdown runs.
    ended: Notify,
    /// Taken-over connections; dead entries are pruned as it grows.
    hooks: RefCell<Vec<Weak<dyn OnShutdown>>>,
    /// Live hooks at the last pruning: prune again at twice as many entries.
    hooks_pruned_at: Cell<usize>,
}

impl Drain {
    /// A token for a connection about to be forked, and the key of its slot.
    pub(crate) fn admit(self: &Rc<Self>) -> ShutdownToken {
        let key = self.next_key.get();
        self.next_key.set(key + 1);
        let slot = Rc::new(Slot {
            task: OnceCell::new(),
            idle: Cell::new(false),
            closed_idle: Cell::new(false),
        });
        self.slots.borrow_mut().insert(key, slot.clone());
        ShutdownToken {
            drain: self.clone(),
            slot,
            key,
        }
    }

    /// Ties `token`'s slot to the task forked for it.
    pub(crate) fn started(&self, token: &ShutdownToken, task: &Task) {
        let _ = token.slot.task.set(task.clone());
    }

    fn release(&self, key: u64) {
        self.slots.borrow_mut().remove(&key);
        if self.begun.get() {
            self.ended.notify_waiters();
        }
    }

    pub(crate) fn is_begun(&self) -> bool {
        self.begun.get()
    }

    pub(crate) fn open_connections(&self) -> usize {
        self.slots.borrow().len()
    }

    /// Shutdown after the listener closed: tells every handler, closes idle
    /// connections, asks taken-over ones to close, waits until `deadline`
    /// (`None`: until every handler returned), then cancels what is left and
    /// waits for it to unwind.
    pub(crate) fn run(&self, deadline: Option<Instant>) -> ShutdownReport {
        let open = self.open_connections();
        self.begun.set(true);
        self.begins.notify_waiters();
        let idle: Vec<Task> = self
            .slots
            .borrow()
            .values()
            .filter(|slot| slot.idle.get())
            .filter_map(|slot| {
                slot.closed_idle.set(true);
                slot.task.get().cloned()
            })
            .collect();
        for task in idle {
            task.cancel();
        }
        let hooks: Vec<Rc<dyn OnShutdown>> = std::mem::take(&mut *self.hooks.borrow_mut())
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        let notified = hooks.len();
        let closers: Vec<JoinHandle<()>> = hooks
            .into_iter()
            .map(|hook| {
                task::Builder::new()
                    .name("shutdown close")
                    .fork(move || hook.shutdown())
            })
            .collect();
        while self.open_connections() > 0 {
            match deadline {
                Some(deadline) if self.ended.wait_until(deadline).is_err() => break,
                Some(_) => {}
                None => self.ended.wait(),
            }
        }
        let left: Vec<Task> = self
            .slots
            .borrow()
            .values()
            .filter_map(|slot| slot.task.get().cloned())
            .collect();
        let forced = left.len();
        for task in &left {
            task.cancel();
        }
        for closer in &closers {
            closer.task().cancel();
        }
        // Cancelled tasks unwind at their next suspension point, which comes at
        // once for a task waiting on I/O.
        while self.open_connections() > 0 {
            self.ended.wait();
        }
        for closer in closers {
            let _ = closer.join();
        }
        ShutdownReport {
            finished: open.saturating_sub(forced),
            forced,
            notified,
        }
    }
}

/// A connection's view of its server's shutdown. A handler gets it from
/// [`listen_graceful`](super::listen_graceful) (HTTP handlers from
/// `http::Stream::shutdown_token`). Cheap to clone.
///
/// Waiting for the next request on a long-lived connection, mark it idle with
/// [`enter_idle`](Self::enter_idle): shutdown then closes it at once instead
/// of waiting for the grace period; [`leave_idle`](Self::leave_idle) when a
/// request has arrived, before answering it.
#[derive(Clone)]
pub struct ShutdownToken {
    drain: Rc<Drain>,
    slot: Rc<Slot>,
    key: u64,
}

impl fmt::Debug for ShutdownToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownToken")
            .field("shutting_down", &self.is_shutting_down())
            .field("idle", &self.slot.idle.get())
            .finish()
    }
}

impl ShutdownToken {
    /// Whether the server's shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.drain.begun.get()
    }

    /// Suspends until shutdown begins (returns at once if it has).
    ///
    /// # Interrupts
    ///
    /// Whole: it only waits.
    pub fn wait(&self) {
        if !self.is_shutting_down() {
            self.drain.begins.wait();
        }
    }

    /// [`wait`](Self::wait) up to `deadline`.
    ///
    /// # Errors
    ///
    /// [`Elapsed`] if `deadline` passed before shutdown began.
    ///
    /// # Interrupts
    ///
    /// Whole: it only waits.
    pub fn wait_until(&self, deadline: Instant) -> Result<(), Elapsed> {
        if self.is_shutting_down() {
            return Ok(());
        }
        self.drain.begins.wait_until(deadline)
    }

    /// Marks the connection idle (waiting for a request, holding no work).
    /// When shutdown begins, an idle connection's task is cancelled at once:
    /// the wait it is in unwinds and the connection closes. Returns `false`
    /// (and marks nothing) if shutdown has already begun: close instead of
    /// waiting.
    pub fn enter_idle(&self) -> bool {
        if self.is_shutting_down() {
            return false;
        }
        self.slot.idle.set(true);
        true
    }

    /// Ends the idle period. Returns `false` if shutdown cancelled the
    /// connection while it was idle (a request may have arrived just then):
    /// the task unwinds at its next suspension, so return without answering
    /// rather than send half a response.
    pub fn leave_idle(&self) -> bool {
        self.slot.idle.set(false);
        !self.slot.closed_idle.get()
    }

    /// Registers a connection taken over from the handler (a WebSocket), to
    /// be asked to close when shutdown begins. Only a weak reference is kept.
    /// If shutdown has already begun, it is asked now, in a new coroutine.
    pub fn on_shutdown(&self, hook: Weak<dyn OnShutdown>) {
        if self.is_shutting_down() {
            if let Some(hook) = hook.upgrade() {
                task::fork(move || hook.shutdown());
            }
            return;
        }
        let mut hooks = self.drain.hooks.borrow_mut();
        if hooks.len() >= 2 * self.drain.hooks_pruned_at.get().max(16) {
            hooks.retain(|hook| hook.strong_count() > 0);
            self.drain.hooks_pruned_at.set(hooks.len());
        }
        hooks.push(hook);
    }
}

/// Removes a connection's slot when its task ends, returns, unwinds, or is
/// dropped before it ran.
pub(crate) struct SlotGuard(pub(crate) ShutdownToken);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.0.drain.release(self.0.key);
    }
}
