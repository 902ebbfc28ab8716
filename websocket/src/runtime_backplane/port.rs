//! One runtime's end of a runtime backplane: the hub's [`Backplane`], which
//! gathers the turn's publishes into a batch, and the two coroutines that
//! send batches out and deliver the ones that come in.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::sync::Arc;

use silly_runtime::sync::{remote, Notify};
use silly_runtime::task;

use super::links::{Batch, Delivery, Links, Published};
use crate::frame::FrameType;
use crate::hub::{Backplane, Hub};

/// The hub's backplane on one runtime.
struct Port {
    links: Arc<Links>,
    /// This runtime's member: it sends to all but itself.
    me: usize,
    /// Published in this turn, not yet sent.
    pending: RefCell<Vec<Published>>,
    /// Their cost.
    pending_cost: Cell<usize>,
    /// Wakes the coroutine that sends `pending`.
    wake: Rc<Notify>,
}

/// Links `hub` as member `me`, whose inbox is `rx`: the hub's publishes go
/// to the other members, and a coroutine delivers theirs to it.
pub(super) fn attach(links: Arc<Links>, me: usize, rx: remote::Receiver<Delivery>, hub: &Hub) {
    let wake = Rc::new(Notify::new());
    let port = Rc::new(Port {
        links: links.clone(),
        me,
        pending: RefCell::new(Vec::new()),
        pending_cost: Cell::new(0),
        wake: wake.clone(),
    });
    let sender: Weak<Port> = Rc::downgrade(&port);
    links.attached(me);
    hub.set_backplane(port);
    // Both hold the hub's end weakly: dropping the hub (or giving it
    // another backplane) drops the port, which ends them.
    task::fork(move || loop {
        wake.wait();
        let Some(port) = sender.upgrade() else {
            return;
        };
        port.send_pending();
    });
    let hub = hub.downgrade();
    task::fork(move || {
        // However this ends (its hub gone, the runtime ending), nothing is
        // sent here any more.
        let _leave = Leave {
            links: links.clone(),
            me,
        };
        while let Ok(Some(batch)) = rx.recv() {
            let Some(hub) = hub.upgrade() else {
                return;
            };
            for message in &batch.messages {
                // Checked where it was published: cannot fail.
                let _ = hub.deliver(&message.topic, &message.data, message.kind);
            }
            links.delivered(me, &batch);
        }
    });
}

/// Detaches a member when its receiving coroutine ends.
struct Leave {
    links: Arc<Links>,
    me: usize,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.links.detached(self.me);
    }
}

impl Port {
    /// Sends what was gathered since the last batch, as one batch.
    fn send_pending(&self) {
        let messages = std::mem::take(&mut *self.pending.borrow_mut());
        if messages.is_empty() {
            return;
        }
        let batch = Arc::new(Batch {
            messages,
            cost: self.pending_cost.replace(0),
        });
        self.links.send(self.me, &batch);
    }
}

impl Backplane for Port {
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType) {
        let message = Published {
            topic: topic.into(),
            data: data.into(),
            kind,
        };
        let cost = message.cost();
        // A batch no inbox could take is not gathered further: what is
        // there goes now, and this message starts the next one.
        if self.pending_cost.get() + cost > self.links.config.max_queue_bytes {
            self.send_pending();
        }
        let mut pending = self.pending.borrow_mut();
        if pending.is_empty() {
            self.wake.notify_one();
        }
        pending.push(message);
        self.pending_cost.set(self.pending_cost.get() + cost);
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // What was gathered still goes; then both coroutines end.
        self.send_pending();
        self.wake.notify_one();
        let _ = self.links.members[self.me].tx.send(None);
    }
}
