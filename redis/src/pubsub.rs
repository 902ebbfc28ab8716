//! A pub/sub subscriber: its own connection, read by its own coroutine, that
//! reconnects and resubscribes by itself.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use silly_net::Conn;
use silly_runtime::sync::{self, Mutex, Notify, Receiver, RecvTimeoutError, Sender};
use silly_runtime::task::{self, JoinHandle};
use silly_runtime::time;

use crate::backoff::Backoff;
use crate::cmd::{cmd, Cmd, ToArg};
use crate::config::Config;
use crate::connection::{read_reply, shut, write_or_shut, Connection};
use crate::error::{Error, Result};
use crate::reply::ReplyBuf;
use crate::value::Value;

/// A message published to a channel the subscriber listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The channel it was published to.
    pub channel: Vec<u8>,
    /// The pattern that matched the channel, for a `PSUBSCRIBE`; `None` for
    /// a plain `SUBSCRIBE`.
    pub pattern: Option<Vec<u8>>,
    /// What was published.
    pub payload: Vec<u8>,
}

/// What a [`Subscriber`] reports, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A message.
    Message(Message),
    /// The connection was lost (the error says how); messages published from
    /// now until [`Reconnected`](Event::Reconnected) are lost.
    Disconnected(Error),
    /// A new connection is up and the server has confirmed that every
    /// channel and pattern subscribed before is subscribed again.
    Reconnected,
}

/// A connection in pub/sub mode: subscribe to channels and patterns, then read
/// the messages in a loop with [`next_message`](Self::next_message) (or
/// [`next_event`](Self::next_event) to hear about reconnections). Publish
/// with [`Connection::publish`] on another connection.
///
/// A coroutine of its own reads the connection and queues what arrives (up to
/// [`Config::message_queue`] messages; when the queue is full it stops
/// reading, and Redis drops a subscriber that lags too far). So one
/// coroutine can wait for messages while others subscribe and unsubscribe:
/// methods take `&self`, and an `Rc<Subscriber>` shares it.
///
/// ## Reconnection
///
/// When the connection drops, the subscriber reports
/// [`Event::Disconnected`], reconnects with a back-off doubling from
/// [`Config::backoff_min`] to [`Config::backoff_max`], subscribes again to
/// every channel and pattern it had, and reports [`Event::Reconnected`].
/// Redis pub/sub delivers at most once: messages published while the
/// subscriber is disconnected are lost, not replayed.
///
/// The wait for messages has no timeout (an idle channel is normal), so a
/// connection that dies silently (a network partition, not a server exit) is
/// noticed only when TCP gives up on it.
///
/// ```no_run
/// use silly_redis::Subscriber;
///
/// silly_runtime::run(|| {
///     let sub = Subscriber::connect("redis://127.0.0.1/").unwrap();
///     sub.subscribe(&["news"]).unwrap();
///     sub.psubscribe(&["room:*"]).unwrap();
///     while let Ok(msg) = sub.next_message() {
///         println!("{:?}: {:?}", msg.channel, msg.payload);
///     }
/// });
/// ```
pub struct Subscriber {
    shared: Rc<Shared>,
    events: Receiver<Event>,
    reader: JoinHandle<()>,
}

struct Shared {
    config: Config,
    /// Where commands go; `None` while disconnected.
    conn: RefCell<Option<Rc<Conn>>>,
    /// Held while writing to the connection: by a `subscribe` call, or by the
    /// reader sending the resubscription.
    write_lock: Mutex<()>,
    /// What to subscribe to again after a reconnection.
    channels: RefCell<BTreeSet<Vec<u8>>>,
    patterns: RefCell<BTreeSet<Vec<u8>>>,
    /// Confirmations (`subscribe`, `unsubscribe`, ... replies) due for the
    /// commands written on the current connection, and those read so far:
    /// Redis answers in order, so a call waits until `confirmed` reaches the
    /// count due once its command was written.
    due: Cell<u64>,
    confirmed: Cell<u64>,
    /// Wakes the calls waiting for confirmations.
    confirm: Notify,
}

impl fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriber")
            .field("connected", &self.is_connected())
            .field("channels", &self.shared.channels.borrow().len())
            .field("patterns", &self.shared.patterns.borrow().len())
            .finish()
    }
}

/// The four commands that change a subscription.
#[derive(Debug, Clone, Copy)]
enum Change {
    Subscribe,
    Unsubscribe,
    PSubscribe,
    PUnsubscribe,
}

impl Change {
    fn command(self) -> &'static str {
        match self {
            Change::Subscribe => "SUBSCRIBE",
            Change::Unsubscribe => "UNSUBSCRIBE",
            Change::PSubscribe => "PSUBSCRIBE",
            Change::PUnsubscribe => "PUNSUBSCRIBE",
        }
    }
}

impl Subscriber {
    /// Connects to the server of `url` (see [`Config::from_url`]).
    ///
    /// # Errors
    ///
    /// As [`Subscriber::open`], and [`Error::Url`].
    ///
    /// # Interrupts
    ///
    /// As [`Subscriber::open`].
    pub fn connect(url: &str) -> Result<Subscriber> {
        Subscriber::open(Config::from_url(url)?)
    }

    /// Checks `config` ([`Config::check`]), connects (as
    /// [`Connection::open`]) and starts the reading coroutine. Only this
    /// first connection's failure is an error: later ones are retried.
    ///
    /// # Errors
    ///
    /// As [`Connection::open`]: [`Error::Config`] for a config that cannot
    /// work, and the connection's errors.
    ///
    /// # Interrupts
    ///
    /// As [`Connection::open`]: nothing is kept.
    pub fn open(config: Config) -> Result<Subscriber> {
        config.check()?;
        let (conn, replies) = Connection::open_checked(&config)?.into_parts();
        let conn = Rc::new(conn);
        let (tx, events) = sync::bounded(config.message_queue);
        let shared = Rc::new(Shared {
            config,
            conn: RefCell::new(Some(conn.clone())),
            write_lock: Mutex::new(()),
            channels: RefCell::default(),
            patterns: RefCell::default(),
            due: Cell::new(0),
            confirmed: Cell::new(0),
            confirm: Notify::new(),
        });
        let reader = {
            let shared = shared.clone();
            task::fork(move || read_loop(&shared, conn, replies, &tx))
        };
        Ok(Subscriber {
            shared,
            events,
            reader,
        })
    }

    /// Subscribes to `channels`, returning once the server confirmed. While
    /// disconnected the channels are recorded and subscribed on reconnection.
    /// The confirmation is read by the subscriber's own coroutine: when the
    /// message queue is full, it comes only once the queue's reader takes
    /// some messages.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when the confirmation does not come within the
    /// read timeout (the channels stay recorded).
    ///
    /// # Interrupts
    ///
    /// **Whole** while waiting for the confirmation: the channels are
    /// recorded and subscribed. Cut while the command is being written, the
    /// subscriber's connection is **closed** (no torn command reaches the
    /// server); the subscriber reconnects and subscribes again to all it
    /// had, these channels included.
    pub fn subscribe<A: ToArg>(&self, channels: &[A]) -> Result<()> {
        self.change(Change::Subscribe, channels)
    }

    /// Unsubscribes from `channels` (an empty list does nothing); as
    /// [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Interrupts
    ///
    /// As [`subscribe`](Self::subscribe).
    pub fn unsubscribe<A: ToArg>(&self, channels: &[A]) -> Result<()> {
        self.change(Change::Unsubscribe, channels)
    }

    /// Subscribes to channels matching glob-style `patterns` (`news.*`); as
    /// [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Interrupts
    ///
    /// As [`subscribe`](Self::subscribe).
    pub fn psubscribe<A: ToArg>(&self, patterns: &[A]) -> Result<()> {
        self.change(Change::PSubscribe, patterns)
    }

    /// Unsubscribes from `patterns`; as [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Interrupts
    ///
    /// As [`subscribe`](Self::subscribe).
    pub fn punsubscribe<A: ToArg>(&self, patterns: &[A]) -> Result<()> {
        self.change(Change::PUnsubscribe, patterns)
    }

    /// The next message, waiting as long as it takes; reconnections are
    /// skipped (see [`next_event`](Self::next_event)).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] if the reading coroutine has ended (cancelled).
    ///
    /// # Interrupts
    ///
    /// **Whole**: a message is taken off the queue only when returned.
    pub fn next_message(&self) -> Result<Message> {
        loop {
            if let Event::Message(msg) = self.next_event()? {
                return Ok(msg);
            }
        }
    }

    /// [`next_message`](Self::next_message), giving up after `timeout`.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`], or as [`next_message`](Self::next_message).
    ///
    /// # Interrupts
    ///
    /// As [`next_message`](Self::next_message).
    pub fn next_message_timeout(&self, timeout: Duration) -> Result<Message> {
        // A timeout too long for the clock is none.
        let Some(deadline) = time::deadline(Some(timeout)) else {
            return self.next_message();
        };
        loop {
            match self.events.recv_until(deadline) {
                Ok(Event::Message(msg)) => return Ok(msg),
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => return Err(Error::Timeout),
                Err(_) => return Err(Error::Closed),
            }
        }
    }

    /// The next message, disconnection or reconnection, in order.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] if the reading coroutine has ended (cancelled).
    ///
    /// # Interrupts
    ///
    /// As [`next_message`](Self::next_message).
    pub fn next_event(&self) -> Result<Event> {
        self.events.recv().map_err(|_| Error::Closed)
    }

    /// Whether the subscriber has a connection now.
    pub fn is_connected(&self) -> bool {
        self.shared.conn.borrow().is_some()
    }

    /// The channels subscribed to (sorted).
    pub fn channels(&self) -> Vec<Vec<u8>> {
        self.shared.channels.borrow().iter().cloned().collect()
    }

    /// The patterns subscribed to (sorted).
    pub fn patterns(&self) -> Vec<Vec<u8>> {
        self.shared.patterns.borrow().iter().cloned().collect()
    }

    fn change<A: ToArg>(&self, change: Change, names: &[A]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let mut command = cmd(change.command());
        let mut raw = Vec::new();
        for name in names {
            raw.clear();
            name.write_arg(&mut raw);
            command.push(&raw);
        }
        self.shared.record(change, &command);
        let target = {
            let _writing = self.shared.write_lock.lock();
            let Some(conn) = self.shared.conn.borrow().clone() else {
                return Ok(());
            };
            let mut out = Vec::new();
            command.encode_into(&mut out);
            if write_or_shut(&conn, &out).is_err() {
                // The reader sees the broken connection and resubscribes.
                return Ok(());
            }
            let due = self.shared.due.get() + names.len() as u64;
            self.shared.due.set(due);
            due
        };
        let deadline = time::deadline(self.shared.config.read_timeout);
        while self.shared.confirmed.get() < target {
            match deadline {
                Some(deadline) => {
                    if self.shared.confirm.wait_until(deadline).is_err() {
                        return Err(Error::Timeout);
                    }
                }
                None => self.shared.confirm.wait(),
            }
        }
        Ok(())
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.reader.task().cancel();
    }
}

impl Shared {
    /// Notes the change in the sets resubscribed after a reconnection.
    fn record(&self, change: Change, command: &Cmd) {
        let names = command.args().skip(1).map(<[u8]>::to_vec);
        match change {
            Change::Subscribe => self.channels.borrow_mut().extend(names),
            Change::PSubscribe => self.patterns.borrow_mut().extend(names),
            Change::Unsubscribe => names.for_each(|n| {
                self.channels.borrow_mut().remove(&n);
            }),
            Change::PUnsubscribe => names.for_each(|n| {
                self.patterns.borrow_mut().remove(&n);
            }),
        }
    }

    /// The connection is gone: waiting calls return (their names are
    /// recorded, and resubscribed with the rest).
    fn disconnected(&self) {
        self.conn.borrow_mut().take();
        self.confirmed.set(self.due.get());
        self.confirm.notify_waiters();
    }

    /// Sends the subscriptions on a new connection and makes it the current
    /// one; returns the confirmation count that means they are all in effect.
    fn resubscribe(&self, conn: Conn) -> Result<(Rc<Conn>, u64)> {
        let _writing = self.write_lock.lock();
        let mut out = Vec::new();
        let mut due = 0;
        for (command, names) in [
            ("SUBSCRIBE", &self.channels),
            ("PSUBSCRIBE", &self.patterns),
        ] {
            let names = names.borrow();
            if !names.is_empty() {
                let mut c = cmd(command);
                for name in names.iter() {
                    c.push(name);
                }
                c.encode_into(&mut out);
                due += names.len() as u64;
            }
        }
        if !out.is_empty() {
            write_or_shut(&conn, &out)?;
        }
        let due = self.due.get() + due;
        self.due.set(due);
        let conn = Rc::new(conn);
        *self.conn.borrow_mut() = Some(conn.clone());
        Ok((conn, due))
    }

    /// Handles one push from the server: a message to hand on, or a
    /// confirmation to count.
    fn push(&self, value: Value) -> Option<Message> {
        let Value::Array(items) = value else {
            log::debug!("redis subscriber: unexpected reply {value:?}");
            return None;
        };
        let mut items = items.into_iter().map(|v| match v {
            Value::Data(bytes) => bytes,
            Value::Status(text) => text.into_bytes(),
            _ => Vec::new(),
        });
        let kind = items.next().unwrap_or_default();
        match kind.as_slice() {
            b"message" => {
                let (channel, payload) = (items.next()?, items.next()?);
                Some(Message {
                    channel,
                    pattern: None,
                    payload,
                })
            }
            b"pmessage" => {
                let (pattern, channel, payload) = (items.next()?, items.next()?, items.next()?);
                Some(Message {
                    channel,
                    pattern: Some(pattern),
                    payload,
                })
            }
            b"subscribe" | b"unsubscribe" | b"psubscribe" | b"punsubscribe" => {
                self.confirmed.set(self.confirmed.get() + 1);
                self.confirm.notify_waiters();
                None
            }
            _ => None,
        }
    }
}

/// The reading coroutine: hands messages on, and reconnects when the
/// connection drops. Ends when the subscriber is dropped (cancelled) or its
/// receiver is gone.
fn read_loop(shared: &Shared, mut conn: Rc<Conn>, mut replies: ReplyBuf, tx: &Sender<Event>) {
    let mut backoff = Backoff::new(shared.config.backoff_min, shared.config.backoff_max);
    // After a reconnection: the confirmations to read before reporting it.
    let mut reconnected_at: Option<u64> = None;
    loop {
        let lost = loop {
            if reconnected_at.is_some_and(|due| shared.confirmed.get() >= due) {
                reconnected_at = None;
                backoff.succeeded();
                if tx.send(Event::Reconnected).is_err() {
                    return;
                }
            }
            match read_reply(&conn, &mut replies, None) {
                Ok(Ok(value)) => {
                    if let Some(msg) = shared.push(value) {
                        if tx.send(Event::Message(msg)).is_err() {
                            return;
                        }
                    }
                }
                Ok(Err(e)) => log::warn!("redis subscriber: {e}"),
                Err(e) => break e,
            }
        };
        shared.disconnected();
        // Not left open through the back-off (a server that sent garbage
        // gets nothing more from this connection).
        shut(&conn);
        log::debug!("redis subscriber: connection lost ({lost})");
        // A connection lost before its resubscription was confirmed is one
        // more failure in a row: the back-off goes on growing.
        if reconnected_at.take().is_none() && tx.send(Event::Disconnected(lost)).is_err() {
            return;
        }
        let due;
        (conn, replies, due) = loop {
            backoff.wait();
            let reopened = Connection::open_checked(&shared.config).and_then(|c| {
                let (c, replies) = c.into_parts();
                let (conn, due) = shared.resubscribe(c)?;
                Ok((conn, replies, due))
            });
            match reopened {
                Ok(parts) => break parts,
                Err(e) => log::debug!("redis subscriber: reconnect failed ({e})"),
            }
        };
        reconnected_at = Some(due);
    }
}
