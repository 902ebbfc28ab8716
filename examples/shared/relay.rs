//! The backplane of the chat and broadcast examples under `--threads N`:
//! each runtime has its own `Hub`, and what is published on one runtime is
//! delivered to the subscribers of every other.
//!
//! One `sync::remote` channel per runtime, read by one coroutine there that
//! hands each message to its hub's `deliver` (local subscribers only, so a
//! message never comes back: no echo). A channel keeps the order of what one
//! runtime sends, so one publisher's messages reach every client in the
//! order sent. A slow client is judged by its own hub on its own runtime,
//! and holds up nobody.
//!
//! What one runtime publishes in a turn of its loop crosses as one batch,
//! sent by a coroutine that runs after the turn's publishers: sent one by
//! one, the first message would wake the other runtime, which (on a core of
//! its own, or preempting this one on a shared core) would fan it out alone
//! and then each of the rest, one `writev` per client each time, where one
//! batch costs one `writev` per client for all of them.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use silly::net::websocket::{Backplane, FrameType, Hub};
use silly::sync::{remote, Notify};
use silly::task;

/// A message published on one runtime, on its way to the others.
struct Published {
    topic: Box<str>,
    data: Box<[u8]>,
    kind: FrameType,
}

/// What one runtime published in one turn of its loop, in order.
type Batch = Arc<[Published]>;

/// The channels between `runtimes` runtimes; made before they start.
pub struct Relay {
    /// To runtime `i`.
    senders: Vec<remote::Sender<Batch>>,
    /// Runtime `i`'s, taken by [`attach`](Self::attach) there.
    receivers: Vec<Mutex<Option<remote::Receiver<Batch>>>>,
}

impl Relay {
    pub fn new(runtimes: usize) -> Arc<Relay> {
        let (senders, receivers) = (0..runtimes)
            .map(|_| {
                let (tx, rx) = remote::channel();
                (tx, Mutex::new(Some(rx)))
            })
            .unzip();
        Arc::new(Relay { senders, receivers })
    }

    /// On the calling runtime: `hub`'s publishes go to the other runtimes,
    /// and a coroutine delivers theirs to `hub`. Nothing to do with one
    /// runtime.
    pub fn attach(self: &Arc<Self>, hub: &Hub) {
        if self.senders.len() < 2 {
            return;
        }
        let me = silly::runtime_index();
        let Some(rx) = self.receivers[me].lock().unwrap().take() else {
            return;
        };
        let port = Rc::new(Port {
            relay: self.clone(),
            me,
            pending: RefCell::new(Vec::new()),
            wake: Notify::new(),
        });
        hub.set_backplane(port.clone());
        task::fork(move || loop {
            port.wake.wait();
            port.send_pending();
        });
        let hub = hub.clone();
        task::fork(move || {
            while let Ok(batch) = rx.recv() {
                for message in batch.iter() {
                    // Checked where it was published: cannot fail.
                    let _ = hub.deliver(&message.topic, &message.data, message.kind);
                }
            }
        });
    }
}

/// One runtime's end of the relay: the hub's `Backplane`.
struct Port {
    relay: Arc<Relay>,
    /// This runtime's index: it sends to all but itself.
    me: usize,
    /// Published in this turn, not yet sent.
    pending: RefCell<Vec<Published>>,
    /// Wakes the coroutine that sends `pending`.
    wake: Notify,
}

impl Port {
    /// Sends what was published since the last batch, as one batch (one
    /// copy for all the other runtimes).
    fn send_pending(&self) {
        let batch: Batch = std::mem::take(&mut *self.pending.borrow_mut()).into();
        if batch.is_empty() {
            return;
        }
        for (i, tx) in self.relay.senders.iter().enumerate() {
            if i != self.me {
                let _ = tx.send(batch.clone());
            }
        }
    }
}

impl Backplane for Port {
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType) {
        let mut pending = self.pending.borrow_mut();
        if pending.is_empty() {
            self.wake.notify_one();
        }
        pending.push(Published {
            topic: topic.into(),
            data: data.into(),
            kind,
        });
    }
}
