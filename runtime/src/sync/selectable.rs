//! What a [`Select`](super::Select) can wait for, and how it is woken.

use std::fmt;

use crate::leaves::cell::Waker;

/// Something a [`Select`](super::Select) can wait for: a [`Receiver`](super::Receiver), an
/// [`io::Registered`](crate::io::Registered) source (readable), or a type of
/// another crate built on them (a `silly-net` socket).
pub trait Selectable {
    /// Whether the operation would complete without waiting now (for a
    /// channel: a message is queued or it is closed; for a socket: data or EOF
    /// may be there).
    fn is_ready(&self) -> bool;

    /// Arranges for `waiter` to be woken when this may have become ready,
    /// until the returned [`Watch`] is dropped.
    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_>;
}

/// The coroutine a [`Select`](super::Select) parks, as handed to [`Selectable::watch`].
pub struct SelectWaiter {
    waker: Waker,
}

impl SelectWaiter {
    /// The waiter of a select about to park with `waker`.
    pub(crate) fn new(waker: Waker) -> Self {
        SelectWaiter { waker }
    }

    /// A waker for the select's park, to put where the event will come.
    pub(crate) fn waker(&self) -> Waker {
        self.waker.clone()
    }
}

impl fmt::Debug for SelectWaiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectWaiter").finish_non_exhaustive()
    }
}

/// Undoes a [`Selectable::watch`] when dropped.
pub struct Watch<'a> {
    undo: Option<Box<dyn FnOnce() + 'a>>,
}

impl<'a> Watch<'a> {
    /// A watch that calls `undo` when dropped.
    pub fn new(undo: impl FnOnce() + 'a) -> Self {
        Watch {
            undo: Some(Box::new(undo)),
        }
    }

    /// A watch with nothing to undo.
    pub fn none() -> Self {
        Watch { undo: None }
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        if let Some(undo) = self.undo.take() {
            undo();
        }
    }
}

impl fmt::Debug for Watch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch").finish_non_exhaustive()
    }
}
