//! What a hub has done: counters an application can log, and tests read.

use std::cell::Cell;

/// Counters of a [`Hub`](crate::Hub) ([`Hub::stats`](crate::Hub::stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HubStats {
    /// Sockets subscribed now.
    pub subscribers: usize,
    /// Topics with at least one subscriber now.
    pub topics: usize,
    /// Messages published or delivered here so far.
    pub published: u64,
    /// Frames written to sockets so far (one per message per subscriber).
    pub frames: u64,
    /// Write system calls the hub made for them (`writev`): fewer than
    /// `frames` when corking joined several frames in one.
    pub writes: u64,
    /// Messages dropped under [`SlowPolicy::DropMessages`](crate::SlowPolicy::DropMessages).
    pub dropped_messages: u64,
    /// Subscribers dropped as too slow.
    pub dropped_clients: u64,
}

/// The running counts behind [`HubStats`].
#[derive(Default)]
pub(super) struct Counters {
    pub(super) published: Cell<u64>,
    pub(super) frames: Cell<u64>,
    pub(super) writes: Cell<u64>,
    pub(super) dropped_messages: Cell<u64>,
    pub(super) dropped_clients: Cell<u64>,
}
