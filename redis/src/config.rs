//! Where the server is, how to log in, and the client's limits.

use std::fmt;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use silly_net::tls;
use url::Url;

use crate::error::{Error, Result};

/// Port used when the URL names none.
pub const DEFAULT_PORT: u16 = 6379;
/// Default [`Config::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`Config::read_timeout`].
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`Config::max_reply_size`]: 512 MiB, Redis's own default limit for
/// one bulk string (`proto-max-bulk-len`), plus room for its framing.
pub const DEFAULT_MAX_REPLY_SIZE: usize = 512 * 1024 * 1024 + 64;
/// Default [`Config::max_reply_depth`]: Redis's own replies nest a few
/// arrays deep (`EXEC` of `XREAD`s, `CLUSTER SLOTS`, `COMMAND INFO`).
pub const DEFAULT_MAX_REPLY_DEPTH: usize = 64;
/// Largest [`Config::max_reply_depth`] accepted: every level costs a
/// little stack where replies are converted and dropped.
pub const MAX_REPLY_DEPTH: usize = 1024;
/// Longest duration a setting accepts (a year): deadlines are computed by
/// adding it to the clock, and longer ones are a mistake (`None` in
/// [`Config::read_timeout`] is "forever").
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// How to reach and log in to a server, and the client's limits.
///
/// Made from a URL with [`Config::from_url`], then changed with the setters of
/// the same names as the fields:
///
/// ```
/// use silly_redis::Config;
/// use std::time::Duration;
///
/// let config = Config::from_url("redis://:secret@127.0.0.1:6380/2")
///     .unwrap()
///     .read_timeout(Some(Duration::from_secs(2)))
///     .pool_size(4);
/// assert_eq!((config.port, config.db), (6380, 2));
/// assert_eq!(config.password.as_deref(), Some("secret"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Host name or IP address (an IPv6 address in brackets, as in URLs).
    /// Default `127.0.0.1`.
    pub host: String,
    /// TCP port. Default [`DEFAULT_PORT`].
    pub port: u16,
    /// TLS settings when the connection is TLS (`rediss://`): `None` for
    /// plain TCP. `rediss://` sets the default client config (the webpki
    /// roots, the host name verified); set one with a private CA for a
    /// self-signed server. Default `None`.
    pub tls: Option<tls::ClientConfig>,
    /// User name for `AUTH` (Redis 6 ACLs); `None` logs in as the default
    /// user. Default `None`.
    pub username: Option<String>,
    /// Password for `AUTH`; `None` sends no `AUTH`. Default `None`.
    pub password: Option<String>,
    /// Database selected with `SELECT` after connecting (not sent for 0).
    /// Default 0.
    pub db: u32,
    /// Bound on connecting: TCP connect, TLS handshake, `AUTH` and `SELECT`
    /// together. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// Bound on each command: on sending it and on the wait for its reply
    /// (each reply of a pipeline has its own). On expiry the command fails
    /// with [`Error::Timeout`] and the connection is closed. `None` waits
    /// forever (for blocking commands such as `BLPOP` without a timeout).
    /// Default [`DEFAULT_READ_TIMEOUT`]. A [`Subscriber`](crate::Subscriber)
    /// waits for messages without it.
    pub read_timeout: Option<Duration>,
    /// Largest reply accepted, in bytes as received; a larger one fails with
    /// [`Error::Protocol`] (and closes the connection), as soon as its bulk
    /// string or array header announces more, before anything is allocated
    /// for it. Default [`DEFAULT_MAX_REPLY_SIZE`]; at least 16.
    pub max_reply_size: usize,
    /// Most arrays a reply may nest inside one another; a deeper one fails
    /// with [`Error::Protocol`] (and closes the connection). Default
    /// [`DEFAULT_MAX_REPLY_DEPTH`]; from 1 to [`MAX_REPLY_DEPTH`].
    pub max_reply_depth: usize,
    /// First wait before reconnecting after a failure (the pool and the
    /// subscriber); it doubles with each failure in a row. Default 100 ms.
    pub backoff_min: Duration,
    /// Longest wait between reconnection attempts. Default 5 s.
    pub backoff_max: Duration,
    /// Most connections a [`Pool`](crate::Pool) opens. Default 16.
    pub pool_size: usize,
    /// Longest a [`Pool::get`](crate::Pool::get) waits for a free connection
    /// (and for reconnecting). Default 5 s.
    pub pool_wait: Duration,
    /// Messages a [`Subscriber`](crate::Subscriber) holds for its reader
    /// before it stops reading from the server (Redis then applies its
    /// `client-output-buffer-limit` for pub/sub). Default 1024.
    pub message_queue: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            host: "127.0.0.1".into(),
            port: DEFAULT_PORT,
            tls: None,
            username: None,
            password: None,
            db: 0,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            max_reply_size: DEFAULT_MAX_REPLY_SIZE,
            max_reply_depth: DEFAULT_MAX_REPLY_DEPTH,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
            pool_size: 16,
            pool_wait: Duration::from_secs(5),
            message_queue: 1024,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password stays out of logs.
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("db", &self.db)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_reply_size", &self.max_reply_size)
            .field("max_reply_depth", &self.max_reply_depth)
            .field("backoff_min", &self.backoff_min)
            .field("backoff_max", &self.backoff_max)
            .field("pool_size", &self.pool_size)
            .field("pool_wait", &self.pool_wait)
            .field("message_queue", &self.message_queue)
            .finish()
    }
}

silly_runtime::config_setters!(Config {
    host: String,
    port: u16,
    tls: Option<tls::ClientConfig>,
    username: Option<String>,
    password: Option<String>,
    db: u32,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    max_reply_size: usize,
    max_reply_depth: usize,
    backoff_min: Duration,
    backoff_max: Duration,
    pool_size: usize,
    pool_wait: Duration,
    message_queue: usize,
});

impl Config {
    /// Reads `redis://[[user]:password@]host[:port][/db]` (`rediss://` for
    /// TLS); the other fields keep their defaults. User and password are
    /// percent-decoded.
    ///
    /// # Errors
    ///
    /// [`Error::Url`] for another scheme, a missing host, a db that is not a
    /// number, or a query string (no options are read from URLs).
    pub fn from_url(text: &str) -> Result<Config> {
        let bad = |why: &str| Error::Url(format!("{text:?}: {why}"));
        let url = Url::parse(text).map_err(|e| bad(&e.to_string()))?;
        let tls = match url.scheme() {
            "redis" => None,
            "rediss" => Some(tls::ClientConfig::default()),
            _ => return Err(bad("the scheme is not redis:// or rediss://")),
        };
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.to_owned(),
            _ => return Err(bad("no host")),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("query strings and fragments are not supported"));
        }
        let decode = |part: &str| -> Result<String> {
            percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| bad("user or password is not UTF-8"))
        };
        let username = match url.username() {
            "" => None,
            name => Some(decode(name)?),
        };
        let password = url.password().map(decode).transpose()?;
        let db = match url.path().trim_start_matches('/') {
            "" => 0,
            db => db.parse().map_err(|_| bad("the path is not a db number"))?,
        };
        Ok(Config {
            host,
            port: url.port().unwrap_or(DEFAULT_PORT),
            tls,
            username,
            password,
            db,
            ..Config::default()
        })
    }

    /// `host:port`, as the TCP connect takes it.
    pub(crate) fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The host without IPv6 brackets: the name TLS verifies.
    pub(crate) fn server_name(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// `Ok` if every setting can work: [`Connection::open`],
    /// [`Pool::new`] and [`Subscriber::open`] check it, so a bad value is
    /// an error there rather than a failure (or a panic) later.
    ///
    /// [`Connection::open`]: crate::Connection::open
    /// [`Pool::new`]: crate::Pool::new
    /// [`Subscriber::open`]: crate::Subscriber::open
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a zero `pool_size` or `message_queue`, a
    /// `max_reply_size` under 16, a `max_reply_depth` of 0 or past
    /// [`MAX_REPLY_DEPTH`], a zero `connect_timeout`, `read_timeout` or
    /// `pool_wait`, or a duration past [`MAX_DURATION`].
    pub fn check(&self) -> Result<()> {
        let invalid = |why: &str| Err(Error::Invalid(why.into()));
        if self.pool_size == 0 {
            return invalid("pool_size must be at least 1");
        }
        if self.message_queue == 0 {
            return invalid("message_queue must be at least 1");
        }
        if self.max_reply_size < 16 {
            return invalid("max_reply_size must be at least 16 bytes");
        }
        if !(1..=MAX_REPLY_DEPTH).contains(&self.max_reply_depth) {
            return Err(Error::Invalid(format!(
                "max_reply_depth must be from 1 to {MAX_REPLY_DEPTH}"
            )));
        }
        let durations = [
            ("connect_timeout", Some(self.connect_timeout), false),
            ("read_timeout", self.read_timeout, false),
            ("pool_wait", Some(self.pool_wait), false),
            ("backoff_min", Some(self.backoff_min), true),
            ("backoff_max", Some(self.backoff_max), true),
        ];
        for (name, value, zero_ok) in durations {
            match value {
                Some(d) if d.is_zero() && !zero_ok => {
                    return Err(Error::Invalid(format!("{name} must not be zero")));
                }
                Some(d) if d > MAX_DURATION => {
                    return Err(Error::Invalid(format!(
                        "{name} must be at most a year ({d:?} given)"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
