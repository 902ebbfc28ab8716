//! One connection to a server: connect and log in, send commands, read replies.

use std::net::Shutdown;
use std::time::{Duration, Instant};

use silly_net::tcp::TcpStream;
use silly_net::{tls, Conn};
use silly_runtime::time;

use crate::cmd::{cmd, Cmd};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::reply::ReplyBuf;
use crate::value::{FromValue, Value};

/// Connects to the server of a `redis://` or `rediss://` URL with the
/// default [`Config`] otherwise; see [`Connection::open`].
///
/// # Errors
///
/// [`Error::Url`] for a bad URL; then as [`Connection::open`] (the default
/// config passes [`Config::check`]).
///
/// # Interrupts
///
/// As [`Connection::open`]: nothing is kept.
pub fn connect(url: &str) -> Result<Connection> {
    Connection::open(&Config::from_url(url)?)
}

/// A connection to a Redis server, for one coroutine at a time (`&mut self`):
/// share a [`Pool`](crate::Pool) between coroutines.
///
/// A command is written whole, then its reply is read. A failure of the
/// socket, a read timeout or a malformed reply closes the connection, and
/// every later command fails with [`Error::Closed`] (see [`Error`]).
///
/// # Interrupts
///
/// A command stopped by its coroutine's `time::timeout`, cancellation or
/// shutdown leaves the connection **whole** when it was stopped waiting
/// for its reply: the connection counts the replies still owed, and the
/// next command reads and drops them before its own, so a reply never
/// reaches the wrong command. One stopped while it was being written (a
/// large value the server was slow to take) leaves it **closed**: the
/// socket is shut at once, so the server sees the connection end rather
/// than a torn command followed by the next one, and later commands fail
/// with [`Error::Interrupted`]; [`is_closed`](Self::is_closed) says so.
///
/// Redis cannot cancel a command: one cut while the server works on it
/// (a `BLPOP` waiting for an element) still holds the connection until the
/// server answers it, and the next command waits for that answer first
/// (each owed reply within [`Config::read_timeout`]).
#[derive(Debug)]
pub struct Connection {
    conn: Conn,
    replies: ReplyBuf,
    /// Encoded commands on their way out; kept to reuse its allocation.
    out: Vec<u8>,
    read_timeout: Option<Duration>,
    /// Replies the server still owes for commands written whole: those of
    /// the command in progress, and those of interrupted commands, which
    /// the next command reads and drops before its own.
    owed: usize,
    /// Why the connection can no longer be used, once it cannot.
    closed: Option<Closed>,
}

/// Why a [`Connection`] was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    /// A failure, reported to the command that met it.
    Failed,
    /// A command was interrupted while being written.
    Interrupted,
}

impl Connection {
    /// Checks `config` ([`Config::check`]), then connects, runs the TLS
    /// handshake for `rediss://`, sends `AUTH` when there is a password and
    /// `SELECT` when the db is not 0, all within
    /// [`Config::connect_timeout`].
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a config that cannot work, [`Error::Io`] when
    /// the server cannot be reached, [`Error::Timeout`], [`Error::Server`]
    /// when it refuses the password (kind `WRONGPASS`) or the db.
    ///
    /// # Interrupts
    ///
    /// Nothing is kept: the connection being opened is dropped (closed).
    pub fn open(config: &Config) -> Result<Connection> {
        config.check()?;
        Connection::open_checked(config)
    }

    /// [`open`](Self::open) for a config already checked (by the pool or
    /// the subscriber that reconnects with it).
    pub(crate) fn open_checked(config: &Config) -> Result<Connection> {
        match time::deadline(config.connect_timeout) {
            Some(deadline) => time::timeout_at(deadline, || Connection::open_unbounded(config))?,
            None => Connection::open_unbounded(config),
        }
    }

    fn open_unbounded(config: &Config) -> Result<Connection> {
        let addr = config.addr();
        let conn = match &config.tls {
            None => {
                let tcp = TcpStream::connect(addr)?;
                tcp.set_nodelay(true)?;
                Conn::Tcp(tcp)
            }
            Some(tls_config) => {
                let stream = tls::connect(addr, config.server_name(), tls_config)?;
                stream.tcp().set_nodelay(true)?;
                Conn::Tls(Box::new(stream))
            }
        };
        conn.set_write_timeout(config.read_timeout);
        let mut connection = Connection {
            conn,
            replies: ReplyBuf::new(config.max_reply_bytes, config.max_reply_depth),
            out: Vec::new(),
            read_timeout: config.read_timeout,
            owed: 0,
            closed: None,
        };
        if let Some(password) = &config.password {
            let mut auth = cmd("AUTH");
            if let Some(user) = &config.username {
                auth.push(user);
            }
            connection.query::<()>(&auth.arg(password))?;
        }
        if config.db != 0 {
            connection.query::<()>(&cmd("SELECT").arg(config.db))?;
        }
        Ok(connection)
    }

    /// Sends `cmd` and returns its reply converted to `T` (see [`FromValue`]).
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply, [`Error::Type`] when the reply
    /// does not fit `T`: the connection stays usable. The others close it.
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req).
    pub fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        T::from_value(self.req(cmd)?)
    }

    /// Sends `cmd` and returns its reply as it came.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// **Whole** when interrupted waiting for the reply (the next command
    /// drops it unread); **closed** when interrupted while the command was
    /// being written (see [`Connection`]).
    pub fn req(&mut self, cmd: &Cmd) -> Result<Value> {
        if cmd.is_empty() {
            return Err(Error::Invalid("empty command".into()));
        }
        self.usable()?;
        // A pipeline dropped unsent leaves its commands here.
        self.out.clear();
        cmd.encode_into(&mut self.out);
        self.send(1)?;
        self.skip_stale(1)?;
        self.read_reply()?
    }

    /// A pipeline on this connection: commands written at once, replies read
    /// in order.
    ///
    /// ```no_run
    /// use silly_redis::{cmd, Value};
    ///
    /// silly_runtime::run(|| {
    ///     let mut conn = silly_redis::connect("redis://127.0.0.1/").unwrap();
    ///     let replies = conn
    ///         .pipeline()
    ///         .cmd(cmd("SET").arg("k").arg(1))
    ///         .cmd(cmd("INCR").arg("k"))
    ///         .query()
    ///         .unwrap();
    ///     assert_eq!(replies[1], Value::Int(2));
    /// });
    /// ```
    pub fn pipeline(&mut self) -> Pipeline<'_> {
        self.out.clear();
        Pipeline {
            conn: self,
            count: 0,
        }
    }

    /// Whether the connection was closed (by a failure, or by a command
    /// interrupted while being written): every command would fail.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Replies the server still owes for interrupted commands; the next
    /// command reads and drops them before its own.
    pub fn owed_replies(&self) -> usize {
        self.owed
    }

    /// Whether the connection is usable and the server has not closed it
    /// (nor sent anything unasked) while it was idle. Never suspends. A
    /// connection that is owed replies (see [`Connection`]) is taken as
    /// open: its socket holds their bytes.
    pub fn is_open(&self) -> bool {
        self.closed.is_none() && (self.owed > 0 || self.conn.is_idle_open())
    }

    /// Refuses a connection that was closed.
    fn usable(&self) -> Result<()> {
        match self.closed {
            None => Ok(()),
            Some(Closed::Failed) => Err(Error::Closed),
            Some(Closed::Interrupted) => Err(Error::Interrupted),
        }
    }

    /// Closes the connection when `result` is an error that breaks it: the
    /// socket is shut at once (the server sees the end, and a hostile one
    /// gets no more reading).
    fn check<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.closed = Some(Closed::Failed);
                shut(&self.conn);
            }
        }
        result
    }

    /// Writes `out` (holding `replies` commands) whole, and counts their
    /// replies as owed. An interrupt while writing shuts the socket and
    /// leaves the connection closed.
    fn send(&mut self, replies: usize) -> Result<()> {
        // Stays set if an interrupt unwinds out of the write.
        self.closed = Some(Closed::Interrupted);
        let written = write_or_shut(&self.conn, &self.out);
        self.closed = None;
        self.out.clear();
        self.check(written.map_err(Error::from))?;
        self.owed += replies;
        crate::metrics::commands(replies);
        Ok(())
    }

    /// Reads the reply of the command in progress, after reading and
    /// dropping those owed to interrupted commands before it. `owed` is
    /// counted down as each arrives, so an interrupt anywhere in here
    /// leaves it right.
    fn read_reply(&mut self) -> Result<Result<Value>> {
        let deadline = time::deadline(self.read_timeout);
        let reply = read_reply(&self.conn, &mut self.replies, deadline);
        let reply = self.check(reply)?;
        self.owed -= 1;
        Ok(reply)
    }

    /// Reads and drops the replies owed beyond the `own` ones of the
    /// command in progress.
    fn skip_stale(&mut self, own: usize) -> Result<()> {
        while self.owed > own {
            // Server errors among them belong to nobody.
            let _ = self.read_reply()?;
        }
        Ok(())
    }

    /// Splits into the socket and the reply buffer (for the subscriber, which
    /// reads and writes them from different coroutines).
    pub(crate) fn into_parts(self) -> (Conn, ReplyBuf) {
        (self.conn, self.replies)
    }
}

/// Writes all of `bytes`; if an interrupt unwinds out of the write, the
/// socket is shut on the way out, so the peer sees the connection end
/// instead of a torn command followed by the next one's bytes.
pub(crate) fn write_or_shut(conn: &Conn, bytes: &[u8]) -> std::io::Result<()> {
    let guard = ShutOnUnwind(conn);
    let written = conn.write_all(bytes);
    std::mem::forget(guard);
    written
}

/// Shuts the socket when dropped: only by an unwind, as it is forgotten
/// once the write it guards returns.
struct ShutOnUnwind<'a>(&'a Conn);

impl Drop for ShutOnUnwind<'_> {
    fn drop(&mut self) {
        shut(self.0);
    }
}

/// Shuts both halves of the TCP connection under `conn`, without the TLS
/// close_notify: that could wait on a full socket, inside an unwind.
pub(crate) fn shut(conn: &Conn) {
    let _ = match conn {
        Conn::Tcp(tcp) => tcp.shutdown(Shutdown::Both),
        Conn::Tls(tls) => tls.tcp().shutdown(Shutdown::Both),
    };
}

/// Reads the next reply from `conn`, through `replies`, by `deadline`.
///
/// # Errors
///
/// [`Error::Closed`] at EOF, [`Error::Timeout`], [`Error::Io`],
/// [`Error::Protocol`]; an error reply is the inner `Err`.
pub(crate) fn read_reply(
    conn: &Conn,
    replies: &mut ReplyBuf,
    deadline: Option<Instant>,
) -> Result<Result<Value>> {
    loop {
        if let Some(reply) = replies.next()? {
            return Ok(reply);
        }
        if conn.read_into(deadline, replies.space()?)? == 0 {
            return Err(Error::Closed);
        }
    }
}

/// Commands sent in one write, whose replies are read in order: see
/// [`Connection::pipeline`]. Replies are decoded one at a time as they
/// arrive, so 10,000 commands hold 10,000 [`Value`]s, not the bytes of all
/// the replies at once.
#[derive(Debug)]
pub struct Pipeline<'c> {
    conn: &'c mut Connection,
    count: usize,
}

impl Pipeline<'_> {
    /// Adds a command.
    #[must_use]
    pub fn cmd(mut self, cmd: impl std::borrow::Borrow<Cmd>) -> Self {
        self.add(cmd.borrow());
        self
    }

    /// Adds a command in place (for building in a loop). An empty command is
    /// skipped.
    pub fn add(&mut self, cmd: &Cmd) -> &mut Self {
        if !cmd.is_empty() {
            cmd.encode_into(&mut self.conn.out);
            self.count += 1;
        }
        self
    }

    /// Commands added so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no command was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Writes the commands and reads their replies, one per command in order.
    /// The read timeout applies to each reply.
    ///
    /// # Errors
    ///
    /// The first [`Error::Server`] among the replies, once all are read (the
    /// connection stays usable); any other error breaks the connection.
    ///
    /// # Interrupts
    ///
    /// As [`Connection::req`]: **whole** when interrupted reading the
    /// replies (those not read are dropped by the next command), **closed**
    /// when interrupted writing the commands.
    pub fn query(self) -> Result<Vec<Value>> {
        let conn = self.conn;
        if self.count == 0 {
            return Ok(Vec::new());
        }
        if let Err(e) = conn.usable() {
            conn.out.clear();
            return Err(e);
        }
        conn.send(self.count)?;
        conn.skip_stale(self.count)?;
        let mut values = Vec::with_capacity(self.count);
        let mut first_error = None;
        for _ in 0..self.count {
            match conn.read_reply()? {
                Ok(value) => values.push(value),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(values),
        }
    }
}
