//! Rooms across nodes: a [`Hub`]'s topics shared by every node connected
//! to one Redis server, through pub/sub.
//!
//! # Design
//!
//! **One channel per topic, subscribed while the topic has local
//! subscribers** (`SUBSCRIBE PREFIX:topic` on the hub's `topic_opened`,
//! `UNSUBSCRIBE` on `topic_closed`), rather than one `PSUBSCRIBE PREFIX:*`:
//! Redis then sends a node only the rooms it has clients in, where a
//! pattern would send every node every room's traffic, and Redis matches
//! patterns against every publish. The hub calls `topic_opened` with its
//! tables borrowed, so the change is only noted there; a coroutine of the
//! backplane brings the [`Subscriber`]'s channels to the wanted set
//! (changes that cancel out cost nothing).
//!
//! **Publishing never waits for Redis.** `publish` appends `PUBLISH` to a
//! bounded outbox and wakes the backplane's sender coroutine, which sends
//! everything queued in one pipeline on its own connection: one round trip
//! per batch, however many publishers. The one connection keeps a node's
//! order (Redis relays one connection's publishes in order).
//!
//! **Own messages come back and are skipped**: the node subscribes to the
//! channels it publishes to, so each envelope carries its node id (see
//! `envelope.rs` for the layout) and a node ignores its own; local
//! subscribers had them from `Hub::publish` already.

mod config;
mod envelope;

use std::cell::{Cell, RefCell};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;

use silly_runtime::sync::Notify;
use silly_runtime::task;
use silly_websocket::{Backplane, FrameType, Hub};

pub use self::config::{
    BackplaneConfig, DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES, DEFAULT_PREFIX,
};
#[cfg(fuzzing)]
pub(crate) use self::envelope::round_trip as fuzz_envelope;
use crate::backoff::Backoff;
use crate::cmd::{cmd, Cmd};
use crate::config::Config;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::pubsub::{Event, Subscriber};

/// Most `PUBLISH` commands in one pipeline: a burst goes out in several
/// round trips rather than one unbounded write.
const MAX_BATCH: usize = 1024;

/// A [`Hub`]'s [`Backplane`] through Redis pub/sub: what is published on
/// one node reaches the topic's subscribers on every node connected to the
/// same server with the same [prefix](BackplaneConfig::prefix).
///
/// Attach it once, before the hub has subscribers, on the hub's runtime.
/// Each hub (each runtime of a process with several) gets its own, with
/// its own node id and connections. It lives as long as the runtime (its
/// coroutines hold the hub).
///
/// # Guarantees
///
/// * A [`Hub::publish`] reaches the local subscribers at once (the hub does
///   that) and is sent to Redis channel `PREFIX:topic` once per node, not
///   once per client; a node delivers what other nodes publish to its
///   local subscribers ([`Hub::deliver`]), and never its own message a
///   second time.
/// * One publishing node's messages reach every node in the order sent
///   (one publishing connection per node, pipelined in order).
/// * **At most once.** Redis pub/sub keeps nothing: a message published
///   while a node's subscription is down, or before a topic's first
///   `SUBSCRIBE` is in effect, does not reach that node, and nothing is
///   replayed. While Redis is unreachable, publishes go on to local
///   subscribers and are dropped for the others ([`BackplaneStats::dropped`]).
/// * `publish` never suspends (so no interrupt can cut it) and the outbox is bounded
///   ([`BackplaneConfig::max_queue`], [`max_queue_bytes`](BackplaneConfig::max_queue_bytes)):
///   a full outbox drops and counts too.
/// * Recovery is automatic: the publishing connection reconnects with the
///   back-off of the Redis [`Config`] (`backoff_min` doubling to
///   `backoff_max`); the [`Subscriber`] reconnects and subscribes again to
///   every channel.
///
/// Messages on the channel are envelopes (`[1, kind, node id: u64 BE,
/// message...]`, kind 1 text, 2 binary); anything else published there is
/// ignored and counted as [`malformed`](BackplaneStats::malformed).
///
/// ```no_run
/// use silly_redis::{BackplaneConfig, Config, HubBackplane};
/// use silly_websocket::Hub;
///
/// silly_runtime::run(|| {
///     let hub = Hub::new();
///     let redis = Config::from_url("redis://127.0.0.1:6379").unwrap();
///     let backplane = HubBackplane::attach(&hub, redis, BackplaneConfig::default()).unwrap();
///     // Subscribe sockets and publish as usual: other nodes' subscribers
///     // of "room" get it too.
///     hub.publish_text("room", "hello").unwrap();
///     println!("{:?}", backplane.stats());
/// });
/// ```
pub struct HubBackplane {
    shared: Rc<Shared>,
}

/// What a backplane has done since it was attached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackplaneStats {
    /// Messages Redis accepted from this node (`PUBLISH` answered).
    pub published: u64,
    /// Messages of this node that never reached Redis: outbox full, Redis
    /// unreachable, or the connection lost with them in flight.
    pub dropped: u64,
    /// Messages of other nodes delivered to this hub.
    pub received: u64,
    /// Channel payloads that were not a valid envelope for this hub (a
    /// foreign publisher, text that is not UTF-8).
    pub malformed: u64,
    /// Connections re-established after a loss: the publishing one and the
    /// subscriber's, each counted.
    pub reconnects: u64,
}

struct Shared {
    /// In every envelope this node sends; its own come back and are skipped.
    node: u64,
    /// `PREFIX:`, the start of every channel name.
    prefix: Vec<u8>,
    config: BackplaneConfig,
    redis: Config,
    /// `PUBLISH` commands for the sender coroutine, with their sizes.
    outbox: RefCell<VecDeque<(Cmd, usize)>>,
    outbox_bytes: Cell<usize>,
    /// Wakes the sender: the outbox has something.
    outbox_ready: Notify,
    /// Whether the publishing connection is up; while not, publishes are
    /// dropped at once rather than queued for a server that is gone.
    publisher_up: Cell<bool>,
    /// The channels the hub's topics want.
    wanted: RefCell<BTreeSet<Vec<u8>>>,
    /// Wakes the coroutine that brings the subscriptions to `wanted`.
    wanted_changed: Notify,
    subscriber: Subscriber,
    stats: Cell<BackplaneStats>,
}

impl fmt::Debug for HubBackplane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubBackplane")
            .field("node", &self.shared.node)
            .field("prefix", &self.shared.config.prefix)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl HubBackplane {
    /// Connects to Redis (a publishing connection and a [`Subscriber`]),
    /// starts the backplane's coroutines on this runtime, and sets it as
    /// `hub`'s backplane. Attach before the hub has subscribers: topics
    /// opened earlier are not subscribed.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad `redis` or `config` (see [`Config::check`]
    /// and [`BackplaneConfig::check`]), checked before anything else; as
    /// [`Connection::open`] when Redis cannot be reached now (later losses
    /// are retried, not errors).
    ///
    /// # Interrupts
    ///
    /// Nothing is kept: the connections being opened are dropped, and the
    /// hub keeps its backplane (none, or the one it had).
    pub fn attach(hub: &Hub, redis: Config, config: BackplaneConfig) -> Result<Rc<HubBackplane>> {
        redis.check()?;
        config.check()?;
        let publisher = Connection::open_checked(&redis)?;
        let subscriber = Subscriber::open(redis.clone())?;
        let mut prefix = config.prefix.clone().into_bytes();
        prefix.push(b':');
        let shared = Rc::new(Shared {
            node: node_id(),
            prefix,
            config,
            redis,
            outbox: RefCell::default(),
            outbox_bytes: Cell::new(0),
            outbox_ready: Notify::new(),
            publisher_up: Cell::new(true),
            wanted: RefCell::default(),
            wanted_changed: Notify::new(),
            subscriber,
            stats: Cell::default(),
        });
        {
            let shared = shared.clone();
            task::fork(move || send_loop(&shared, publisher));
        }
        {
            let shared = shared.clone();
            task::fork(move || subscription_loop(&shared));
        }
        {
            let (shared, hub) = (shared.clone(), hub.clone());
            task::fork(move || receive_loop(&shared, &hub));
        }
        let backplane = Rc::new(HubBackplane { shared });
        hub.set_backplane(backplane.clone());
        Ok(backplane)
    }

    /// This node's id, in the envelope of every message it sends: random,
    /// drawn once per backplane.
    pub fn node_id(&self) -> u64 {
        self.shared.node
    }

    /// The counters.
    pub fn stats(&self) -> BackplaneStats {
        self.shared.stats.get()
    }

    /// Whether both connections are up now.
    pub fn is_connected(&self) -> bool {
        self.shared.publisher_up.get() && self.shared.subscriber.is_connected()
    }
}

impl Backplane for HubBackplane {
    fn publish(&self, topic: &str, data: &[u8], kind: FrameType) {
        let shared = &self.shared;
        let channel = shared.channel(topic);
        let size = channel.len() + envelope::HEADER_LEN + data.len();
        let outbox_len = shared.outbox.borrow().len();
        if !shared.publisher_up.get()
            || outbox_len >= shared.config.max_queue
            || shared.outbox_bytes.get() + size > shared.config.max_queue_bytes
        {
            shared.count(|s| s.dropped += 1);
            return;
        }
        let mut payload = Vec::new();
        envelope::encode(shared.node, kind, data, &mut payload);
        let publish = cmd("PUBLISH").arg(channel).arg(payload);
        shared.outbox.borrow_mut().push_back((publish, size));
        shared.outbox_bytes.set(shared.outbox_bytes.get() + size);
        shared.outbox_ready.notify_one();
    }

    fn topic_opened(&self, topic: &str) {
        let channel = self.shared.channel(topic);
        self.shared.wanted.borrow_mut().insert(channel);
        self.shared.wanted_changed.notify_one();
    }

    fn topic_closed(&self, topic: &str) {
        let channel = self.shared.channel(topic);
        self.shared.wanted.borrow_mut().remove(&channel);
        self.shared.wanted_changed.notify_one();
    }
}

impl Shared {
    fn channel(&self, topic: &str) -> Vec<u8> {
        let mut channel = Vec::with_capacity(self.prefix.len() + topic.len());
        channel.extend_from_slice(&self.prefix);
        channel.extend_from_slice(topic.as_bytes());
        channel
    }

    fn count(&self, f: impl FnOnce(&mut BackplaneStats)) {
        let mut stats = self.stats.get();
        let dropped = stats.dropped;
        f(&mut stats);
        crate::metrics::backplane_dropped(stats.dropped - dropped);
        self.stats.set(stats);
    }

    /// Takes up to [`MAX_BATCH`] commands off the outbox.
    fn take_batch(&self) -> Vec<Cmd> {
        let mut outbox = self.outbox.borrow_mut();
        let n = outbox.len().min(MAX_BATCH);
        let mut freed = 0;
        let batch = outbox
            .drain(..n)
            .map(|(publish, size)| {
                freed += size;
                publish
            })
            .collect();
        self.outbox_bytes.set(self.outbox_bytes.get() - freed);
        batch
    }

    /// The publishing connection is gone: what waits is dropped with it
    /// (sent after a reconnection it would be late and out of step with
    /// the other nodes, which missed the meantime anyway).
    fn publisher_lost(&self, in_flight: usize) {
        self.publisher_up.set(false);
        let waiting = self.outbox.borrow().len();
        self.outbox.borrow_mut().clear();
        self.outbox_bytes.set(0);
        self.count(|s| s.dropped += (in_flight + waiting) as u64);
    }
}

/// A node id unlikely to collide with another node's: the process's
/// random hash keys, mixed with the pid, the time and a per-process count.
fn node_id() -> u64 {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    hasher.finish()
}

/// The sender coroutine: sends the outbox in pipelines; reconnects with
/// the back-off when the connection fails.
fn send_loop(shared: &Shared, publisher: Connection) {
    let redis = &shared.redis;
    let mut backoff = Backoff::new(redis.backoff_min, redis.backoff_max);
    let mut conn = Some(publisher);
    loop {
        let Some(c) = conn.as_mut() else {
            backoff.wait();
            match Connection::open_checked(redis) {
                Ok(c) => {
                    conn = Some(c);
                    backoff.succeeded();
                    shared.publisher_up.set(true);
                    shared.count(|s| s.reconnects += 1);
                }
                Err(e) => log::debug!("redis backplane: reconnect failed ({e})"),
            }
            continue;
        };
        while shared.outbox.borrow().is_empty() {
            shared.outbox_ready.wait();
        }
        let batch = shared.take_batch();
        let mut pipeline = c.pipeline();
        for publish in &batch {
            pipeline.add(publish);
        }
        match pipeline.query() {
            Ok(_) => shared.count(|s| s.published += batch.len() as u64),
            // An error reply leaves the connection usable; PUBLISH has none
            // in practice (an ACL refusal would be one).
            Err(Error::Server(e)) => {
                log::warn!("redis backplane: PUBLISH refused ({e})");
                shared.count(|s| s.dropped += batch.len() as u64);
            }
            Err(e) => {
                log::debug!("redis backplane: publishing connection lost ({e})");
                conn = None;
                shared.publisher_lost(batch.len());
            }
        }
    }
}

/// Brings the subscriber's channels to what the hub's topics want.
fn subscription_loop(shared: &Shared) {
    loop {
        let have: BTreeSet<Vec<u8>> = shared.subscriber.channels().into_iter().collect();
        let (add, remove): (Vec<_>, Vec<_>) = {
            let wanted = shared.wanted.borrow();
            (
                wanted.difference(&have).cloned().collect(),
                have.difference(&wanted).cloned().collect(),
            )
        };
        if add.is_empty() && remove.is_empty() {
            shared.wanted_changed.wait();
            continue;
        }
        // The channels are recorded whatever the outcome: a timeout or a
        // lost connection is made good by the subscriber's resubscription.
        if let Err(e) = shared.subscriber.subscribe(&add) {
            log::debug!("redis backplane: subscribe ({e})");
        }
        if let Err(e) = shared.subscriber.unsubscribe(&remove) {
            log::debug!("redis backplane: unsubscribe ({e})");
        }
    }
}

/// Hands other nodes' messages to the hub's local subscribers.
fn receive_loop(shared: &Shared, hub: &Hub) {
    loop {
        let message = match shared.subscriber.next_event() {
            Ok(Event::Message(message)) => message,
            Ok(Event::Reconnected) => {
                shared.count(|s| s.reconnects += 1);
                continue;
            }
            Ok(_) => continue,
            Err(_) => return,
        };
        let topic = message
            .channel
            .strip_prefix(shared.prefix.as_slice())
            .and_then(|t| std::str::from_utf8(t).ok());
        let (Some(topic), Some(envelope)) = (topic, envelope::decode(&message.payload)) else {
            shared.count(|s| s.malformed += 1);
            continue;
        };
        if envelope.node == shared.node {
            continue;
        }
        match hub.deliver(topic, envelope.data, envelope.kind) {
            Ok(_) => shared.count(|s| s.received += 1),
            Err(_) => shared.count(|s| s.malformed += 1),
        }
    }
}
