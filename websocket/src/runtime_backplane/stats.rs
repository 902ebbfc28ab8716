//! What a runtime backplane has carried and dropped: counters an
//! application can log, and tests read.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Counters of a [`RuntimeBackplane`](crate::RuntimeBackplane), summed over
/// its runtimes ([`RuntimeBackplane::stats`](crate::RuntimeBackplane::stats)).
/// A batch or message sent to two runtimes counts twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuntimeBackplaneStats {
    /// Batches queued for another runtime.
    pub batches: u64,
    /// Messages in them.
    pub messages: u64,
    /// Batches not queued for a runtime whose inbox had no room.
    pub dropped_batches: u64,
    /// Messages in them: what that runtime's subscribers missed.
    pub dropped_messages: u64,
    /// The most bytes that waited for one runtime at once (at most
    /// [`max_queue_bytes`](crate::RuntimeBackplaneConfig::max_queue_bytes)).
    pub max_queued_bytes: usize,
}

/// The running counts behind [`RuntimeBackplaneStats`], shared by the
/// runtimes.
#[derive(Default)]
pub(super) struct Counters {
    batches: AtomicU64,
    messages: AtomicU64,
    dropped_batches: AtomicU64,
    dropped_messages: AtomicU64,
    max_queued_bytes: AtomicUsize,
}

impl Counters {
    /// A batch of `messages` was queued, leaving `queued` bytes waiting.
    pub(super) fn queued(&self, messages: usize, queued: usize) {
        self.batches.fetch_add(1, Relaxed);
        self.messages.fetch_add(messages as u64, Relaxed);
        self.max_queued_bytes.fetch_max(queued, Relaxed);
    }

    /// A batch of `messages` found no room.
    pub(super) fn dropped(&self, messages: usize) {
        self.dropped_batches.fetch_add(1, Relaxed);
        self.dropped_messages.fetch_add(messages as u64, Relaxed);
    }

    pub(super) fn snapshot(&self) -> RuntimeBackplaneStats {
        RuntimeBackplaneStats {
            batches: self.batches.load(Relaxed),
            messages: self.messages.load(Relaxed),
            dropped_batches: self.dropped_batches.load(Relaxed),
            dropped_messages: self.dropped_messages.load(Relaxed),
            max_queued_bytes: self.max_queued_bytes.load(Relaxed),
        }
    }
}
