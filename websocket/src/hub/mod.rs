//! Fan-out: a topic [`Hub`] that sends one message to many sockets, framed
//! once, written with one `writev` per subscriber per loop turn.
//!
//! # Design
//!
//! **Queue, then one flusher.** A publish only appends a shared frame to
//! each subscriber's queue and marks it dirty; the turn's first publish wakes
//! the hub's one flusher coroutine (later ones see it already woken). The
//! flusher runs after the coroutines that were ready before it, that is
//! after every publisher of the turn (each reader that got a message), so
//! all the frames a turn queued for a subscriber leave in one `writev`.
//! The alternatives cost what this avoids: writing inside `publish` is one
//! system call per message per subscriber (about 5 µs each here, whatever
//! the framework); a writer coroutine per subscriber is a wake-up and a
//! switch per subscriber per turn, and a stack each. One flusher writes
//! every socket from one stack with no switch at all, and never blocks: a
//! socket that takes less than its queue gets a writer coroutine of its
//! own, so a full socket holds up neither the flusher nor the others.
//!
//! **Frame atomicity: the held lock, not a residue buffer.** The socket's
//! writer serializes every write (messages, pongs, the close) with a
//! one-permit lock, and control frames that arrive while it is taken wait
//! in its queue. The flusher writes only if it gets that lock without
//! waiting and no control frame waits; otherwise the subscriber gets a
//! writer coroutine, which waits for the lock like any writer. A `writev`
//! cut short keeps the lock instead of copying the frame's rest into the
//! socket's writer: the rest is still in the subscriber's queue (an offset
//! into the shared frame), the writer coroutine finishes it, then gives the
//! lock back, which first sends the control frames that waited. So nothing
//! is copied, and the socket keeps the one rule it already had (whoever
//! holds the lock owns the wire), where a residue would have made every
//! other writer of the socket finish someone else's frame first, a second
//! path to keep right. A socket's own write then waits behind a full
//! socket, as it would anyway. (The socket's own writes do keep a residue,
//! but only of a write cut short by an interrupt: see
//! [Interrupts](crate#interrupts). The hub never leaves one: its writer
//! coroutine holds the lock until its frame is whole, and one unwound
//! mid-frame, by the runtime's shutdown, ends the connection.)
//!
//! **TLS takes the writer-coroutine path.** rustls turns plaintext into
//! records in its own buffers and `Conn::try_write_vectored` has no
//! non-blocking form over it (it returns `WouldBlock`), so a TLS
//! subscriber's batch is always written by a writer coroutine: still one
//! write per batch, plus a switch.
//!
//! **Slowness by progress.** The loop turn of a subscriber's last progress
//! (bytes its socket took) is kept; only a subscriber whose writer waits on
//! a full socket is judged, when frames arrive for it, and only one that
//! has taken nothing since an earlier turn counts as stalled. Queue depth
//! alone (a burst) never drops anyone.
//!
//! **Local delivery and the backplane.** `deliver` reaches this runtime's
//! subscribers; `publish` is `deliver` plus one call to the `Backplane`,
//! whose receiving side calls `deliver` again: no message comes back
//! around, and one channel or broker connection per pair keeps a
//! publisher's order.

mod backplane;
mod config;
mod flush;
mod framed;
mod stats;
mod subscriber;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::{Rc, Weak};

use silly_runtime::sync::Notify;
use silly_runtime::time;

pub use self::backplane::Backplane;
pub use self::config::{HubConfig, SlowPolicy, DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES};
use self::framed::Framed;
use self::stats::Counters;
pub use self::stats::HubStats;
use self::subscriber::{Subscriber, Writing};
use crate::error::{Error, Result};
use crate::frame::FrameType;
use crate::metrics;
use crate::socket::Socket;

thread_local! {
    /// Subscriber ids, unique on the thread (they name a socket's
    /// end-of-connection hook, whatever hub added it).
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// A topic hub for one runtime: sockets subscribe to topics, and a message
/// published to a topic goes to every subscriber.
///
/// Cheap to clone (clones share the hub). Not `Send`: each runtime has its
/// own, and a [`Backplane`] carries messages between them
/// ([`RuntimeBackplane`](crate::RuntimeBackplane)) or between nodes.
///
/// # How a message travels
///
/// [`publish`](Self::publish) frames the message once (header and payload
/// in one shared buffer: server frames are unmasked, so the bytes are the
/// same for every receiver) and appends it to each subscriber's queue; it
/// never suspends and allocates nothing per subscriber. Subscribers that
/// negotiated permessage-deflate without context takeover share one
/// compressed frame per setting ([`PreparedMessage`](crate::PreparedMessage));
/// those with context takeover get the message uncompressed (RFC 7692 lets
/// any message go so, and their context stays in order with their own
/// writes). A message is one frame, whatever its size.
///
/// After the coroutines ready in this turn of the event loop have run, the
/// hub's flusher writes each subscriber's queue with one non-blocking
/// `writev` ("corking"): ten messages published in one turn reach a
/// subscriber in one system call, not ten, and with no coroutine switch
/// per delivery. Only a subscriber whose socket is full gets a writer
/// coroutine of its own, which waits for the socket and ends when the
/// queue is empty. Over TLS every flush goes through such a coroutine
/// (rustls has no non-blocking write), still one write per batch.
///
/// One publisher's messages reach every subscriber in the order sent. A
/// hub frame is never interleaved with the socket's own writes (messages,
/// pongs, the close frame): a write cut short keeps the socket's writer
/// until the frame is complete.
///
/// # Slow subscribers
///
/// Judged by progress over time, never by how much one burst queued (a
/// thousand clients joining at once and each saying hello all stay). A
/// subscriber is too slow when more than
/// [`max_queue`](HubConfig::max_queue) messages (or
/// [`max_queue_bytes`](HubConfig::max_queue_bytes)) wait for it while its
/// socket has taken nothing since an earlier loop turn, or when its socket
/// takes nothing for its write timeout. Then [`SlowPolicy`] applies: drop
/// the client with close code 1008 (the default), or drop messages.
///
/// # Ends
///
/// A subscriber is removed when its socket closes or fails (its queue
/// freed, its topics left), or with [`unsubscribe_all`](Self::unsubscribe_all).
/// The hub holds a handle on each subscribed socket: a socket dropped by
/// the application while still subscribed stays until its connection ends.
///
/// ```no_run
/// use silly_websocket::{upgrade, Hub, Message};
/// use silly_net::http;
///
/// silly_runtime::run(|| {
///     let hub = Hub::new();
///     let _server = http::listen("127.0.0.1:8080", move |stream| {
///         let Ok(sock) = upgrade(stream) else { return };
///         hub.subscribe(&sock, "chat").unwrap();
///         while let Ok(message) = sock.read_message() {
///             match message {
///                 Message::Text(text) => {
///                     hub.publish_text("chat", &text).unwrap();
///                 }
///                 Message::Close(_) => break,
///                 _ => {}
///             }
///         }
///     })
///     .unwrap();
///     silly_runtime::time::sleep(std::time::Duration::from_secs(3600));
/// });
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Rc<Shared>,
}

/// A hub held weakly: for a backplane's coroutines, which must not keep
/// the hub (that holds their backplane) alive.
pub(crate) struct WeakHub(Weak<Shared>);

impl WeakHub {
    /// The hub, if it still exists.
    pub(crate) fn upgrade(&self) -> Option<Hub> {
        self.0.upgrade().map(|inner| Hub { inner })
    }
}

/// What [`Hub::on_drop`] was given.
type OnDrop = Rc<dyn Fn(&Socket)>;

/// The wake-up of the hub's flusher, shared with it.
#[derive(Default)]
struct Wake {
    notify: Notify,
    /// The flusher is woken and has not run yet: later publishes of the
    /// turn need not wake it again.
    scheduled: Cell<bool>,
    /// The flusher coroutine exists.
    started: Cell<bool>,
}

struct Shared {
    config: HubConfig,
    /// Every subscriber, by its socket's key.
    subs: RefCell<HashMap<usize, Rc<Subscriber>>>,
    /// Subscribers by topic.
    topics: RefCell<HashMap<Rc<str>, Vec<Rc<Subscriber>>>>,
    /// Subscribers with frames queued since the flusher last ran.
    dirty: RefCell<Vec<Rc<Subscriber>>>,
    /// The previous dirty list, kept for its capacity.
    spare: RefCell<Vec<Rc<Subscriber>>>,
    wake: Rc<Wake>,
    backplane: RefCell<Option<Rc<dyn Backplane>>>,
    on_drop: RefCell<Option<OnDrop>>,
    stats: Counters,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    /// A hub with the default [`HubConfig`].
    pub fn new() -> Hub {
        Hub::build(HubConfig::default())
    }

    /// A hub with `config`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an invalid setting (see
    /// [`HubConfig::check`]).
    pub fn with_config(config: HubConfig) -> Result<Hub> {
        config.check()?;
        Ok(Hub::build(config))
    }

    fn build(config: HubConfig) -> Hub {
        let hub = Hub {
            inner: Rc::new(Shared {
                config,
                subs: RefCell::default(),
                topics: RefCell::default(),
                dirty: RefCell::default(),
                spare: RefCell::default(),
                wake: Rc::default(),
                backplane: RefCell::new(None),
                on_drop: RefCell::new(None),
                stats: Counters::default(),
            }),
        };
        metrics::track_hub(Rc::downgrade(&hub.inner) as Weak<dyn metrics::HubGauges>);
        hub
    }

    /// A handle that does not keep the hub alive.
    pub(crate) fn downgrade(&self) -> WeakHub {
        WeakHub(Rc::downgrade(&self.inner))
    }

    /// The hub's settings.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// Has [`publish`](Self::publish) also hand each message to `backplane`.
    pub fn set_backplane(&self, backplane: Rc<dyn Backplane>) {
        *self.inner.backplane.borrow_mut() = Some(backplane);
    }

    /// Calls `f` with each subscriber dropped as too slow, before its close
    /// (an application that tells others, as a chat does). `f` gets the
    /// hub's own handle on the socket: [`Socket::same_connection`] finds
    /// the application's. It may publish (the hub is not borrowed then).
    pub fn on_drop(&self, f: impl Fn(&Socket) + 'static) {
        *self.inner.on_drop.borrow_mut() = Some(Rc::new(f));
    }

    /// Subscribes `sock` to `topic`; false if it already was.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] if the socket is closing or closed;
    /// [`Error::ClientSocket`] for a client socket (its frames are masked,
    /// each with its own key: nothing to share).
    pub fn subscribe(&self, sock: &Socket, topic: &str) -> Result<bool> {
        if sock.masks() {
            return Err(Error::ClientSocket);
        }
        if !sock.is_open() {
            return Err(Error::Closed);
        }
        let inner = &self.inner;
        let key = sock.key();
        let found = inner.subs.borrow().get(&key).cloned();
        let sub = match found {
            Some(sub) => sub,
            None => {
                let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
                let sub = Rc::new(Subscriber::new(id, sock.clone(), time::loop_now()));
                let hub = Rc::downgrade(inner);
                let hook = Box::new(move || {
                    if let Some(hub) = hub.upgrade() {
                        let sub = hub.subs.borrow().get(&key).cloned();
                        if let Some(sub) = sub.filter(|s| s.id == id) {
                            hub.remove(&sub);
                        }
                    }
                });
                if !sock.on_end(id, hook) {
                    return Err(Error::Closed);
                }
                inner.subs.borrow_mut().insert(key, sub.clone());
                sub
            }
        };
        if sub.topics.borrow().iter().any(|t| &**t == topic) {
            return Ok(false);
        }
        let mut topics = inner.topics.borrow_mut();
        let name = match topics.get_key_value(topic) {
            Some((name, _)) => name.clone(),
            None => {
                let name: Rc<str> = topic.into();
                topics.insert(name.clone(), Vec::new());
                let backplane = inner.backplane.borrow().clone();
                if let Some(backplane) = backplane {
                    backplane.topic_opened(topic);
                }
                name
            }
        };
        topics.get_mut(topic).expect("inserted").push(sub.clone());
        sub.topics.borrow_mut().push(name);
        Ok(true)
    }

    /// Unsubscribes `sock` from `topic`; false if it was not subscribed.
    /// Frames already queued for it still go out.
    pub fn unsubscribe(&self, sock: &Socket, topic: &str) -> bool {
        let inner = &self.inner;
        let found = inner.subs.borrow().get(&sock.key()).cloned();
        let Some(sub) = found else {
            return false;
        };
        let at = sub.topics.borrow().iter().position(|t| &**t == topic);
        let Some(at) = at else {
            return false;
        };
        sub.topics.borrow_mut().swap_remove(at);
        inner.leave_topic(topic, &sub);
        if sub.topics.borrow().is_empty() && sub.queued() == 0 {
            inner.remove(&sub);
        }
        true
    }

    /// Unsubscribes `sock` from every topic and forgets it, with what waits
    /// for it (the rest of a frame cut short still goes out).
    pub fn unsubscribe_all(&self, sock: &Socket) {
        let found = self.inner.subs.borrow().get(&sock.key()).cloned();
        if let Some(sub) = found {
            self.inner.remove(&sub);
        }
    }

    /// Sends a message to every subscriber of `topic` on this runtime and
    /// hands it to the [`Backplane`], if one is set, for the others.
    /// Returns how many local subscribers it was queued for.
    ///
    /// Never suspends: the frames go out when the loop turn's ready
    /// coroutines have run (see [the type's docs](Self)).
    ///
    /// # Interrupts
    ///
    /// Nothing to cut: it never suspends (a [`Backplane`] must not either).
    /// The hub's own writer coroutines finish a frame they began before any
    /// other byte goes out; one unwound mid-frame (only the runtime's
    /// shutdown does that) ends that subscriber's connection instead.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidFrameType`] unless `kind` is `Text` or `Binary`;
    /// [`Error::InvalidUtf8`] for text that is not UTF-8.
    pub fn publish(&self, topic: &str, data: &[u8], kind: FrameType) -> Result<usize> {
        let n = self.deliver(topic, data, kind)?;
        let backplane = self.inner.backplane.borrow().clone();
        if let Some(backplane) = backplane {
            backplane.publish(topic, data, kind);
        }
        Ok(n)
    }

    /// [`publish`](Self::publish) of a text message.
    ///
    /// # Errors
    ///
    /// None today; as `publish` for forward compatibility.
    pub fn publish_text(&self, topic: &str, text: &str) -> Result<usize> {
        self.publish(topic, text.as_bytes(), FrameType::Text)
    }

    /// [`publish`](Self::publish) of a binary message.
    ///
    /// # Errors
    ///
    /// None today; as `publish` for forward compatibility.
    pub fn publish_binary(&self, topic: &str, data: &[u8]) -> Result<usize> {
        self.publish(topic, data, FrameType::Binary)
    }

    /// Sends a message to the subscribers of `topic` on this runtime only:
    /// what a [`Backplane`] calls with messages from elsewhere.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish).
    pub fn deliver(&self, topic: &str, data: &[u8], kind: FrameType) -> Result<usize> {
        match kind {
            FrameType::Text if std::str::from_utf8(data).is_err() => {
                return Err(Error::InvalidUtf8)
            }
            FrameType::Text | FrameType::Binary => {}
            _ => return Err(Error::InvalidFrameType),
        }
        let inner = &self.inner;
        let stats = &inner.stats;
        stats.published.set(stats.published.get() + 1);
        metrics::hub_published();
        let topics = inner.topics.borrow();
        let Some(subs) = topics.get(topic) else {
            return Ok(0);
        };
        let mut framed = Framed::new(data, kind);
        for sub in subs {
            sub.push(framed.for_socket(&sub.sock));
            inner.mark_dirty(sub);
        }
        let n = subs.len();
        drop(topics);
        if n > 0 {
            inner.wake_flusher();
        }
        Ok(n)
    }

    /// How many sockets are subscribed to `topic`.
    pub fn subscribers(&self, topic: &str) -> usize {
        self.inner.topics.borrow().get(topic).map_or(0, Vec::len)
    }

    /// Counters of the hub's work so far.
    pub fn stats(&self) -> HubStats {
        let inner = &self.inner;
        let s = &inner.stats;
        HubStats {
            subscribers: inner.subs.borrow().len(),
            topics: inner.topics.borrow().len(),
            published: s.published.get(),
            frames: s.frames.get(),
            writes: s.writes.get(),
            dropped_messages: s.dropped_messages.get(),
            dropped_clients: s.dropped_clients.get(),
        }
    }
}

impl Shared {
    fn mark_dirty(&self, sub: &Rc<Subscriber>) {
        if !sub.dirty.replace(true) {
            self.dirty.borrow_mut().push(sub.clone());
        }
    }

    /// Forgets a subscriber: its topics, its queue (but for a frame cut
    /// short, which its writer finishes), its socket's hook.
    fn remove(&self, sub: &Subscriber) {
        if sub.is_gone() {
            return;
        }
        sub.writing.set(Writing::Gone);
        sub.clear();
        self.subs.borrow_mut().remove(&sub.sock.key());
        let topics = std::mem::take(&mut *sub.topics.borrow_mut());
        for topic in topics {
            self.leave_topic(&topic, sub);
        }
        sub.sock.forget_on_end(sub.id);
    }

    fn leave_topic(&self, topic: &str, sub: &Subscriber) {
        let mut topics = self.topics.borrow_mut();
        let Some(subs) = topics.get_mut(topic) else {
            return;
        };
        if let Some(at) = subs.iter().position(|s| std::ptr::eq(&**s, sub)) {
            subs.swap_remove(at);
        }
        if subs.is_empty() {
            topics.remove(topic);
            drop(topics);
            let backplane = self.backplane.borrow().clone();
            if let Some(backplane) = backplane {
                backplane.topic_closed(topic);
            }
        }
    }
}

impl metrics::HubGauges for Shared {
    fn gauges(&self) -> (usize, usize) {
        (self.topics.borrow().len(), self.subs.borrow().len())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        for sub in self.subs.get_mut().values() {
            sub.sock.forget_on_end(sub.id);
        }
        // The flusher holds the hub weakly: woken, it finds it gone and ends.
        self.wake.notify.notify_one();
    }
}
