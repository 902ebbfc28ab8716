//! The state the runtimes share: one inbox per linked hub, the bound on
//! what waits in it, and the counters.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use silly_runtime::sync::remote;

use super::config::RuntimeBackplaneConfig;
use super::stats::Counters;
use crate::frame::FrameType;

/// What a message costs in an inbox beyond its topic and payload: its
/// record and boxes, rounded up.
pub(super) const MESSAGE_COST: usize = 64;

/// A message published on one runtime, on its way to the others.
pub(super) struct Published {
    pub(super) topic: Box<str>,
    pub(super) data: Box<[u8]>,
    pub(super) kind: FrameType,
}

impl Published {
    /// What it counts against an inbox's bound.
    pub(super) fn cost(&self) -> usize {
        self.topic.len() + self.data.len() + MESSAGE_COST
    }
}

/// What one runtime published in one turn of its loop, in order; one copy
/// for every runtime it goes to.
pub(super) struct Batch {
    pub(super) messages: Vec<Published>,
    /// The sum of the messages' costs.
    pub(super) cost: usize,
}

/// What an inbox carries: a batch, or `None`, which ends the receiving
/// coroutine (its hub's end of the backplane was dropped).
pub(super) type Delivery = Option<Arc<Batch>>;

/// One linked hub's inbox.
pub(super) struct Member {
    pub(super) tx: remote::Sender<Delivery>,
    /// Taken by the runtime that attaches here.
    pub(super) rx: Mutex<Option<remote::Receiver<Delivery>>>,
    /// A hub is attached: batches are sent here from now on.
    attached: AtomicBool,
    /// The cost of the batches queued and not yet delivered.
    queued: AtomicUsize,
}

/// What every runtime's end of the backplane shares.
pub(super) struct Links {
    pub(super) config: RuntimeBackplaneConfig,
    pub(super) members: Vec<Member>,
    /// Members handed out so far (may pass their number: refused then).
    pub(super) taken: AtomicUsize,
    pub(super) counters: Counters,
}

impl Links {
    pub(super) fn new(hubs: usize, config: RuntimeBackplaneConfig) -> Links {
        let members = (0..hubs)
            .map(|_| {
                let (tx, rx) = remote::channel();
                Member {
                    tx,
                    rx: Mutex::new(Some(rx)),
                    attached: AtomicBool::new(false),
                    queued: AtomicUsize::new(0),
                }
            })
            .collect();
        Links {
            config,
            members,
            taken: AtomicUsize::new(0),
            counters: Counters::default(),
        }
    }

    /// Member `me` has a hub from now on.
    pub(super) fn attached(&self, me: usize) {
        self.members[me].attached.store(true, Ordering::Release);
    }

    /// Member `me`'s hub is gone: nothing is sent there any more.
    pub(super) fn detached(&self, me: usize) {
        self.members[me].attached.store(false, Ordering::Release);
    }

    /// Queues `batch` for every attached member but `from`, where it fits
    /// the bound; counts it dropped where it does not. Never waits.
    pub(super) fn send(&self, from: usize, batch: &Arc<Batch>) {
        let max = self.config.max_queue_bytes;
        let n = batch.messages.len();
        for (i, member) in self.members.iter().enumerate() {
            if i == from || !member.attached.load(Ordering::Acquire) {
                continue;
            }
            let reserved =
                member
                    .queued
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                        queued.checked_add(batch.cost).filter(|&total| total <= max)
                    });
            let Ok(before) = reserved else {
                self.counters.dropped(n);
                continue;
            };
            // Unbounded underneath (the bound is the reservation above), so
            // this never waits. It fails only if that hub left.
            if member.tx.send(Some(batch.clone())).is_ok() {
                self.counters.queued(n, before + batch.cost);
            } else {
                member.queued.fetch_sub(batch.cost, Ordering::AcqRel);
            }
        }
    }

    /// Member `me` has delivered a batch: its cost leaves the inbox.
    pub(super) fn delivered(&self, me: usize, batch: &Batch) {
        self.members[me]
            .queued
            .fetch_sub(batch.cost, Ordering::AcqRel);
    }
}
