//! What this crate counts for monitoring, per runtime (see
//! [`silly_runtime::metrics`]): sockets, messages and bytes each way, close
//! codes, and the [`Hub`](crate::Hub)s' topics, subscribers, frames and drops.
//! [`snapshot`] reads the calling runtime's counts; `silly::metrics` sums
//! every runtime's and exports them.
//!
//! ```
//! use silly_websocket::{metrics, Hub};
//!
//! silly_runtime::run(|| {
//!     let hub = Hub::new();
//!     hub.publish_text("news", "nobody listens").unwrap();
//!     let counts = metrics::snapshot();
//!     assert_eq!(counts.hub_published, 1);
//!     assert_eq!(counts.hub_topics, 0);
//!     drop(hub);
//! });
//! ```

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use silly_runtime::metrics::{Counter, CountsByCode, Gauge};

use crate::message::Message;

/// Close codes counted one by one; a socket's close is rare next to its
/// messages, so a short table searched in order is enough. Codes past it
/// are counted under 0 ("other").
const CLOSE_CODES: usize = 32;

/// A table of close codes and their counts, without allocation.
struct CloseCodes {
    codes: [(u16, Counter); CLOSE_CODES],
    other: Counter,
}

impl CloseCodes {
    const fn new() -> CloseCodes {
        CloseCodes {
            codes: [const { (0, Counter::new()) }; CLOSE_CODES],
            other: Counter::new(),
        }
    }

    fn count(&mut self, code: u16) {
        for (c, n) in &mut self.codes {
            if *c == code || *c == 0 {
                *c = code;
                return n.add(1);
            }
        }
        self.other.add(1);
    }

    fn snapshot(&self) -> CountsByCode {
        let mut out: Vec<(u16, u64)> = self
            .codes
            .iter()
            .filter(|(c, _)| *c != 0)
            .map(|(c, n)| (*c, n.get()))
            .collect();
        if self.other.get() > 0 {
            out.push((0, self.other.get()));
        }
        out.into()
    }
}

thread_local! {
    static OPEN: Gauge = const { Gauge::new() };
    static RECEIVED: Counter = const { Counter::new() };
    static BYTES_RECEIVED: Counter = const { Counter::new() };
    static SENT: Counter = const { Counter::new() };
    static BYTES_SENT: Counter = const { Counter::new() };
    static CLOSE_SENT: RefCell<CloseCodes> = const { RefCell::new(CloseCodes::new()) };
    static CLOSE_RECEIVED: RefCell<CloseCodes> = const { RefCell::new(CloseCodes::new()) };
    static HUB_PUBLISHED: Counter = const { Counter::new() };
    static HUB_FRAMES: Counter = const { Counter::new() };
    static HUB_DROPPED_MESSAGES: Counter = const { Counter::new() };
    static HUB_DROPPED_CLIENTS: Counter = const { Counter::new() };
    /// The hubs of this thread, for their topics and subscribers now.
    static HUBS: RefCell<Vec<Weak<dyn HubGauges>>> = const { RefCell::new(Vec::new()) };
}

/// What a live hub tells a scrape: its topics and subscribers now. (A trait
/// object, so that this module need not know the hub's type: the hub
/// counts through this module.)
pub(crate) trait HubGauges {
    /// `(topics, subscribers)`.
    fn gauges(&self) -> (usize, usize);
}

/// The counts of the runtime that took it (see the [module](self)), summed
/// over runtimes with `+`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebSocketMetrics {
    /// Sockets (server and client) not yet dropped.
    pub sockets_open: i64,
    /// Text and binary messages read (fragments joined: one per message).
    pub messages_received: u64,
    /// Their payload bytes (after decompression).
    pub bytes_received: u64,
    /// Text and binary messages sent with [`Socket::write`](crate::Socket::write)
    /// and [`write_prepared`](crate::Socket::write_prepared) (a hub's frames
    /// are [`hub_frames`](Self::hub_frames)).
    pub messages_sent: u64,
    /// Their payload bytes (before compression).
    pub bytes_sent: u64,
    /// Close frames sent, by code (0: codes past the first 32 seen).
    pub close_sent: CountsByCode,
    /// Close frames received, by code (1005 for a close without a code).
    pub close_received: CountsByCode,
    /// Topics with a subscriber now, over every live hub.
    pub hub_topics: u64,
    /// Sockets subscribed now, over every live hub.
    pub hub_subscribers: u64,
    /// Messages published or delivered to hubs.
    pub hub_published: u64,
    /// Frames hubs wrote to sockets (one per message per subscriber).
    pub hub_frames: u64,
    /// Messages hubs dropped for slow subscribers.
    pub hub_dropped_messages: u64,
    /// Subscribers hubs dropped as too slow.
    pub hub_dropped_clients: u64,
}

impl std::ops::Add for WebSocketMetrics {
    type Output = WebSocketMetrics;

    fn add(self, o: WebSocketMetrics) -> WebSocketMetrics {
        WebSocketMetrics {
            sockets_open: self.sockets_open + o.sockets_open,
            messages_received: self.messages_received + o.messages_received,
            bytes_received: self.bytes_received + o.bytes_received,
            messages_sent: self.messages_sent + o.messages_sent,
            bytes_sent: self.bytes_sent + o.bytes_sent,
            close_sent: self.close_sent + o.close_sent,
            close_received: self.close_received + o.close_received,
            hub_topics: self.hub_topics + o.hub_topics,
            hub_subscribers: self.hub_subscribers + o.hub_subscribers,
            hub_published: self.hub_published + o.hub_published,
            hub_frames: self.hub_frames + o.hub_frames,
            hub_dropped_messages: self.hub_dropped_messages + o.hub_dropped_messages,
            hub_dropped_clients: self.hub_dropped_clients + o.hub_dropped_clients,
        }
    }
}

/// The calling runtime's counts (each runtime is a thread: another
/// runtime's are read on its own thread, as `silly::metrics` does).
pub fn snapshot() -> WebSocketMetrics {
    let hubs: Vec<Rc<dyn HubGauges>> = HUBS.with(|hubs| {
        let mut hubs = hubs.borrow_mut();
        hubs.retain(|weak| weak.strong_count() > 0);
        hubs.iter().filter_map(Weak::upgrade).collect()
    });
    let (mut hub_topics, mut hub_subscribers) = (0, 0);
    for hub in hubs {
        let (topics, subscribers) = hub.gauges();
        hub_topics += topics as u64;
        hub_subscribers += subscribers as u64;
    }
    WebSocketMetrics {
        sockets_open: OPEN.with(Gauge::get),
        messages_received: RECEIVED.with(Counter::get),
        bytes_received: BYTES_RECEIVED.with(Counter::get),
        messages_sent: SENT.with(Counter::get),
        bytes_sent: BYTES_SENT.with(Counter::get),
        close_sent: CLOSE_SENT.with(|t| t.borrow().snapshot()),
        close_received: CLOSE_RECEIVED.with(|t| t.borrow().snapshot()),
        hub_topics,
        hub_subscribers,
        hub_published: HUB_PUBLISHED.with(Counter::get),
        hub_frames: HUB_FRAMES.with(Counter::get),
        hub_dropped_messages: HUB_DROPPED_MESSAGES.with(Counter::get),
        hub_dropped_clients: HUB_DROPPED_CLIENTS.with(Counter::get),
    }
}

/// A socket, counted open until dropped: a field of the socket's state.
pub(crate) struct OpenSocket(());

impl OpenSocket {
    pub(crate) fn new() -> OpenSocket {
        OPEN.with(|g| g.add(1));
        OpenSocket(())
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        OPEN.with(|g| g.add(-1));
    }
}

/// A message was read: counted if it is text or binary; handed back.
#[inline]
pub(crate) fn received(message: Message) -> Message {
    let len = match &message {
        Message::Text(text) => text.len(),
        Message::Binary(data) => data.len(),
        _ => return message,
    };
    RECEIVED.with(|c| c.add(1));
    BYTES_RECEIVED.with(|c| c.add(len as u64));
    message
}

/// A text or binary message of `len` bytes was sent.
#[inline]
pub(crate) fn sent(len: usize) {
    SENT.with(|c| c.add(1));
    BYTES_SENT.with(|c| c.add(len as u64));
}

/// A close frame with `payload` (code and reason, or nothing) is sent.
pub(crate) fn close_sent(payload: &[u8]) {
    CLOSE_SENT.with(|t| t.borrow_mut().count(close_code(payload)));
}

/// A close frame with `payload` arrived.
pub(crate) fn close_received(payload: &[u8]) {
    CLOSE_RECEIVED.with(|t| t.borrow_mut().count(close_code(payload)));
}

/// The code of a close payload; 1005 (RFC 6455, section 7.4.1: "no status
/// code was actually present") for one without.
fn close_code(payload: &[u8]) -> u16 {
    match payload {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 1005,
    }
}

/// A hub was made: its topics and subscribers are counted while it lives.
pub(crate) fn track_hub(hub: Weak<dyn HubGauges>) {
    HUBS.with(|hubs| {
        let mut hubs = hubs.borrow_mut();
        hubs.retain(|weak| weak.strong_count() > 0);
        hubs.push(hub);
    });
}

/// A message was published to (or delivered by) a hub.
pub(crate) fn hub_published() {
    HUB_PUBLISHED.with(|c| c.add(1));
}

/// A hub wrote `n` frames.
pub(crate) fn hub_frames(n: usize) {
    HUB_FRAMES.with(|c| c.add(n as u64));
}

/// A hub dropped `n` messages for a slow subscriber.
pub(crate) fn hub_dropped_messages(n: usize) {
    HUB_DROPPED_MESSAGES.with(|c| c.add(n as u64));
}

/// A hub dropped a subscriber as too slow.
pub(crate) fn hub_dropped_client() {
    HUB_DROPPED_CLIENTS.with(|c| c.add(1));
}

#[cfg(test)]
mod tests;
