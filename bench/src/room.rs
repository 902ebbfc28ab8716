//! What the Tokio broadcast peers share: the room every client joins, written
//! as a careful Tokio user would (axum's chat example, with the bounded
//! outbox the fan-out workload's protocol asks for).
//!
//! - Each member has a bounded [`mpsc`] outbox of [`OUTBOX`] messages, read by
//!   its own writer task.
//! - [`Room::publish`] never waits: it `try_send`s to every member. A member
//!   whose outbox is full is too slow: it leaves the room at once and its
//!   writer ends the connection with close code 1008.
//! - A member leaves when its reader ends ([`Room::leave`]); its writer then
//!   sends what is still queued and ends.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

/// Messages queued for one member at most; one more makes it too slow.
pub const OUTBOX: usize = 64;

/// The close code sent to a member dropped for being too slow (policy violation).
pub const TOO_SLOW: u16 = 1008;

/// One member's entry: its outbox and the flag its writer checks.
#[derive(Debug)]
struct Entry<T> {
    outbox: mpsc::Sender<T>,
    too_slow: Arc<AtomicBool>,
}

/// Every connected client's outbox. `Send + Sync`, as `tokio::spawn` wants,
/// even on a current_thread runtime (the lock is never contended there).
#[derive(Debug)]
pub struct Room<T> {
    members: Mutex<HashMap<u64, Entry<T>>>,
    next_id: AtomicU64,
}

impl<T> Default for Room<T> {
    fn default() -> Self {
        Room {
            members: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        }
    }
}

/// A member's side of the room: what its writer task reads.
#[derive(Debug)]
pub struct Member<T> {
    /// The member's id, for [`Room::leave`].
    pub id: u64,
    outbox: mpsc::Receiver<T>,
    too_slow: Arc<AtomicBool>,
}

impl<T> Member<T> {
    /// The next message to send; `None` once the member left or was found
    /// too slow (then [`is_too_slow`](Self::is_too_slow) says which).
    pub async fn recv(&mut self) -> Option<T> {
        if self.is_too_slow() {
            return None;
        }
        self.outbox.recv().await
    }

    /// A message already queued, without waiting.
    pub fn try_recv(&mut self) -> Option<T> {
        if self.is_too_slow() {
            return None;
        }
        self.outbox.try_recv().ok()
    }

    /// Whether the room dropped this member for a full outbox.
    pub fn is_too_slow(&self) -> bool {
        self.too_slow.load(Ordering::Relaxed)
    }
}

impl<T: Clone> Room<T> {
    /// Adds a member with an empty outbox.
    pub fn join(&self) -> Member<T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(OUTBOX);
        let too_slow = Arc::new(AtomicBool::new(false));
        let entry = Entry {
            outbox: tx,
            too_slow: too_slow.clone(),
        };
        self.members.lock().expect("room lock").insert(id, entry);
        Member {
            id,
            outbox: rx,
            too_slow,
        }
    }

    /// Removes member `id` (its reader ended); its writer ends once its
    /// outbox is empty.
    pub fn leave(&self, id: u64) {
        self.members.lock().expect("room lock").remove(&id);
    }

    /// Queues `message` for every member, dropping those whose outbox is full.
    pub fn publish(&self, message: T) {
        self.members.lock().expect("room lock").retain(|_, entry| {
            match entry.outbox.try_send(message.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    entry.too_slow.store(true, Ordering::Relaxed);
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_drops_only_that_member() {
        let room = Room::default();
        let mut slow = room.join();
        let mut fast = room.join();
        for i in 0..OUTBOX {
            room.publish(i);
            assert_eq!(fast.try_recv(), Some(i));
        }
        assert!(!slow.is_too_slow());
        room.publish(OUTBOX);
        assert!(slow.is_too_slow());
        assert_eq!(slow.try_recv(), None, "a dropped member sends nothing more");
        assert_eq!(fast.try_recv(), Some(OUTBOX));
        room.publish(0);
        assert_eq!(fast.try_recv(), Some(0));
        room.leave(fast.id);
        room.publish(1);
        assert_eq!(fast.try_recv(), None);
    }
}
