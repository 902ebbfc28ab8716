//! Messages between the runtimes of the chat and broadcast examples under
//! `--threads N`: each runtime fans a message out to its own clients, and
//! relays what its clients say to the other runtimes, which fan it out to
//! theirs. One `sync::remote` channel per runtime, so the messages from one
//! runtime arrive at another in the order they were sent; a slow client is
//! still judged by its own outbox on its own runtime, and blocks nobody.

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use silly::sync::remote;
use silly::task;

/// The channels between `runtimes` runtimes; made before they start.
pub struct Relay {
    /// To runtime `i`.
    senders: Vec<remote::Sender<Arc<str>>>,
    /// Runtime `i`'s, taken by [`start`](Self::start) there.
    receivers: Vec<Mutex<Option<remote::Receiver<Arc<str>>>>>,
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

    /// On the calling runtime: a coroutine hands each message relayed from
    /// another runtime to `deliver` (the local fan-out). Nothing to do with
    /// one runtime.
    pub fn start(&self, deliver: impl Fn(Rc<str>) + 'static) {
        if self.senders.len() < 2 {
            return;
        }
        let index = silly::runtime_index();
        let Some(rx) = self.receivers[index].lock().unwrap().take() else {
            return;
        };
        task::fork(move || {
            while let Ok(line) = rx.recv() {
                deliver(Rc::from(&*line));
            }
        });
    }

    /// Sends `line` to every other runtime.
    pub fn forward(&self, line: &str) {
        if self.senders.len() < 2 {
            return;
        }
        let line: Arc<str> = Arc::from(line);
        let me = silly::runtime_index();
        for (i, tx) in self.senders.iter().enumerate() {
            if i != me {
                let _ = tx.send(line.clone());
            }
        }
    }
}
