//! One connection to a server: connect and log in, send commands, read replies.

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
/// [`Error::Url`] for a bad URL; then as [`Connection::open`].
pub fn connect(url: &str) -> Result<Connection> {
    Connection::open(&Config::from_url(url)?)
}

/// A connection to a Redis server, for one coroutine at a time (`&mut self`):
/// share a [`Pool`](crate::Pool) between coroutines.
///
/// A command is written whole, then its reply is read; a failure of the
/// socket, a timeout or a malformed reply breaks the connection, and every
/// later command fails with [`Error::Closed`] (see [`Error`]). So does a
/// command interrupted by its coroutine's cancellation or an enclosing
/// `time::timeout`, whose reply would otherwise be read by the next command.
#[derive(Debug)]
pub struct Connection {
    conn: Conn,
    replies: ReplyBuf,
    /// Encoded commands on their way out; kept to reuse its allocation.
    out: Vec<u8>,
    read_timeout: Option<Duration>,
    /// Set while a command is in flight, cleared when its reply is read: left
    /// set by anything that stops a command midway.
    broken: bool,
}

impl Connection {
    /// Connects, runs the TLS handshake for `rediss://`, sends `AUTH` when
    /// there is a password and `SELECT` when the db is not 0, all within
    /// [`Config::connect_timeout`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the server cannot be reached, [`Error::Timeout`],
    /// [`Error::Server`] when it refuses the password (kind `WRONGPASS`) or
    /// the db, [`Error::Invalid`] for a config that cannot work.
    pub fn open(config: &Config) -> Result<Connection> {
        config.validate()?;
        time::timeout(config.connect_timeout, || {
            Connection::open_unbounded(config)
        })?
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
            replies: ReplyBuf::new(config.max_reply_size),
            out: Vec::new(),
            read_timeout: config.read_timeout,
            broken: false,
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
    /// does not fit `T`: the connection stays usable. The others break it.
    pub fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        T::from_value(self.req(cmd)?)
    }

    /// Sends `cmd` and returns its reply as it came.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    pub fn req(&mut self, cmd: &Cmd) -> Result<Value> {
        if cmd.is_empty() {
            return Err(Error::Invalid("empty command".into()));
        }
        self.begin()?;
        // A pipeline dropped unsent leaves its commands here.
        self.out.clear();
        cmd.encode_into(&mut self.out);
        self.flush()?;
        let reply = self.read_reply()?;
        self.broken = false;
        reply
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

    /// Whether a failure has broken the connection (every command would fail).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Whether the connection is usable and the server has not closed it
    /// (nor sent anything unasked) while it was idle. Never suspends.
    pub fn is_open(&self) -> bool {
        !self.broken && self.conn.is_idle_open()
    }

    /// Refuses a broken connection, and marks it broken until the command's
    /// reply is read.
    fn begin(&mut self) -> Result<()> {
        if self.broken {
            return Err(Error::Closed);
        }
        self.broken = true;
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let written = self.conn.write_all(&self.out);
        self.out.clear();
        Ok(written?)
    }

    fn read_reply(&mut self) -> Result<Result<Value>> {
        let deadline = self.read_timeout.map(|t| Instant::now() + t);
        read_reply(&self.conn, &mut self.replies, deadline)
    }

    /// Splits into the socket and the reply buffer (for the subscriber, which
    /// reads and writes them from different coroutines).
    pub(crate) fn into_parts(self) -> (Conn, ReplyBuf) {
        (self.conn, self.replies)
    }
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
    pub fn query(self) -> Result<Vec<Value>> {
        let conn = self.conn;
        if self.count == 0 {
            return Ok(Vec::new());
        }
        if let Err(e) = conn.begin() {
            conn.out.clear();
            return Err(e);
        }
        conn.flush()?;
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
        conn.broken = false;
        match first_error {
            Some(e) => Err(e),
            None => Ok(values),
        }
    }
}
