//! The public face of a runtime backplane: made before the runtimes start,
//! attached to each runtime's hub.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::config::RuntimeBackplaneConfig;
use super::links::Links;
use super::port;
use super::stats::RuntimeBackplaneStats;
use crate::error::{Error, Result};
use crate::hub::Hub;

/// Links the [`Hub`]s of a process's runtimes, one per runtime: what is
/// published on one hub reaches the subscribers of every other, once, in
/// each publisher's order. The fan-out of a server that uses every core
/// (`Builder::threads(n)`).
///
/// Made before the runtimes start (it is `Send + Sync`, cheap to clone);
/// each runtime makes its own hub and [`attach`](Self::attach)es it. A
/// [`Hub`] has one backplane: to reach other processes too, use a broker's
/// (silly-redis's `HubBackplane`) instead, which carries messages between
/// the runtimes of one process as between processes.
///
/// ```
/// use silly_runtime::Builder;
/// use silly_websocket::{Hub, RuntimeBackplane};
///
/// let backplane = RuntimeBackplane::new(2);
/// Builder::new().threads(2).run_each(move || {
///     let hub = Hub::new();
///     backplane.attach(&hub).unwrap();
///     // ... serve: subscribe sockets, `hub.publish(..)` ...
/// });
/// ```
///
/// # How messages cross
///
/// Each linked hub has an inbox, a `sync::remote` channel read by one
/// coroutine on its runtime that hands each message to
/// [`Hub::deliver`] (local subscribers only: no message comes back around).
/// What a runtime publishes in one turn of its loop is gathered and
/// crosses as one batch, sent by a coroutine that runs after the turn's
/// publishers, one copy shared by every receiving runtime. Sent one by
/// one, the first message would wake the other runtime, which would fan it
/// out alone and then each of the rest, one `writev` per subscriber each
/// time; one batch costs one `writev` per subscriber for all of them.
///
/// An inbox is first in, first out, and each runtime sends its batches in
/// the order published: one publisher's messages reach every subscriber in
/// the order sent, as the hub promises on one runtime. Messages of
/// different runtimes interleave as their batches arrive.
///
/// # A runtime that falls behind
///
/// Each inbox holds at most
/// [`max_queue_bytes`](RuntimeBackplaneConfig::max_queue_bytes) of messages
/// waiting for its runtime. A batch that does not fit when it is sent is
/// not queued for that runtime: its subscribers miss the batch's messages,
/// which are counted ([`RuntimeBackplaneStats::dropped_messages`]); the
/// other runtimes get it, and later batches that fit go on, in order. The
/// publisher never waits (publishing never suspends) and nothing grows
/// without bound: not the inboxes, and not a batch being gathered, which is
/// sent as soon as it would outgrow the bound. Missing messages rather than
/// waiting is the hub's own rule for a slow subscriber under
/// [`SlowPolicy::DropMessages`](crate::SlowPolicy::DropMessages): a runtime
/// that is stalled (a blocking call, a long computation) must not hold up
/// the others, nor make them hold its backlog. Set the bound to what a
/// runtime may fall behind by (the default, 64 MiB, is seconds of a busy
/// chat) and watch the counter.
#[derive(Clone)]
pub struct RuntimeBackplane {
    links: Arc<Links>,
}

impl std::fmt::Debug for RuntimeBackplane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeBackplane")
            .field("hubs", &self.links.members.len())
            .field("config", &self.links.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl RuntimeBackplane {
    /// A backplane for `hubs` hubs (one per runtime), with the default
    /// [`RuntimeBackplaneConfig`].
    pub fn new(hubs: usize) -> RuntimeBackplane {
        RuntimeBackplane {
            links: Arc::new(Links::new(hubs, RuntimeBackplaneConfig::default())),
        }
    }

    /// A backplane for `hubs` hubs with `config`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an invalid setting (see
    /// [`RuntimeBackplaneConfig::check`]).
    pub fn with_config(hubs: usize, config: RuntimeBackplaneConfig) -> Result<RuntimeBackplane> {
        config.check()?;
        Ok(RuntimeBackplane {
            links: Arc::new(Links::new(hubs, config)),
        })
    }

    /// Links `hub`, on the calling runtime, to the hubs attached before and
    /// after it: sets itself as the hub's [`Backplane`](crate::Backplane)
    /// and starts the coroutine that delivers what the others publish. The
    /// hub gets what is published from then on. With one hub there is no
    /// one to reach: nothing is done.
    ///
    /// The hub's end holds the hub weakly: when the hub is dropped, its
    /// coroutines end and the others stop sending to it.
    ///
    /// # Errors
    ///
    /// [`Error::BackplaneFull`] when as many hubs as it was made for are
    /// attached already.
    pub fn attach(&self, hub: &Hub) -> Result<()> {
        let links = &self.links;
        let me = links.taken.fetch_add(1, Ordering::AcqRel);
        let Some(member) = links.members.get(me) else {
            return Err(Error::BackplaneFull);
        };
        let rx = member.rx.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(rx) = rx.filter(|_| links.members.len() > 1) else {
            return Ok(());
        };
        port::attach(links.clone(), me, rx, hub);
        Ok(())
    }

    /// Counters of what crossed and what was dropped, over all runtimes.
    pub fn stats(&self) -> RuntimeBackplaneStats {
        self.links.counters.snapshot()
    }
}
