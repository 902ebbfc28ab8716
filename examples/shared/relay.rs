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

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use silly::net::websocket::{Backplane, FrameType, Hub};
use silly::sync::remote;
use silly::task;

/// A message published on one runtime, on its way to the others.
struct Published {
    topic: Box<str>,
    data: Box<[u8]>,
    kind: FrameType,
}

/// The channels between `runtimes` runtimes; made before they start.
pub struct Relay {
    /// To runtime `i`.
    senders: Vec<remote::Sender<Arc<Published>>>,
    /// Runtime `i`'s, taken by [`attach`](Self::attach) there.
    receivers: Vec<Mutex<Option<remote::Receiver<Arc<Published>>>>>,
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
        hub.set_backplane(Rc::new(Port {
            relay: self.clone(),
            me,
        }));
        let hub = hub.clone();
        task::fork(move || {
            while let Ok(message) = rx.recv() {
                // Checked where it was published: cannot fail.
                let _ = hub.deliver(&message.topic, &message.data, message.kind);
            }
        });
    }
}

/// One runtime's end of the relay: the hub's `Backplane`.
struct Port {
    relay: Arc<Relay>,
    /// This runtime's index: it sends to all but itself.
    me: usize,
}

impl Backplane for Port {
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType) {
        // One copy for all the other runtimes.
        let message = Arc::new(Published {
            topic: topic.into(),
            data: data.into(),
            kind,
        });
        for (i, tx) in self.relay.senders.iter().enumerate() {
            if i != self.me {
                let _ = tx.send(message.clone());
            }
        }
    }
}
