//! Where the server is, how to log in, and the client's limits.

use std::fmt;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use silly_net::tls;
use url::Url;

use silly_runtime::config::ConfigError;

use crate::error::{Error, Result, UrlError};

/// Port used when the URL names none.
pub const DEFAULT_PORT: u16 = 6379;
/// Default [`Config::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`Config::read_timeout`].
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`Config::pool_timeout`].
pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`Config::max_reply_bytes`]: 512 MiB, Redis's own default limit for
/// one bulk string (`proto-max-bulk-len`), plus room for its framing.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 512 * 1024 * 1024 + 64;
/// Default [`Config::max_reply_depth`]: Redis's own replies nest a few
/// arrays deep (`EXEC` of `XREAD`s, `CLUSTER SLOTS`, `COMMAND INFO`).
pub const DEFAULT_MAX_REPLY_DEPTH: usize = 64;
/// Largest [`Config::max_reply_depth`] accepted: every level costs a
/// little stack where replies are converted and dropped.
pub const MAX_REPLY_DEPTH: usize = 1024;

/// How to reach and log in to a server, and the client's limits.
///
/// Made from a URL with [`Config::from_url`], then changed with the setters of
/// the same names as the fields. [`check`](Config::check) says whether the
/// values can work; every entry point that takes a config ([`connect`],
/// [`Connection::open`], [`Pool::new`], [`Subscriber::open`],
/// `HubBackplane::attach`) runs it first.
///
/// Every timeout is an `Option<Duration>`: `None` turns it off, and one too
/// long for the clock to hold its end is the same as `None`.
///
/// [`connect`]: crate::connect
/// [`Connection::open`]: crate::Connection::open
/// [`Pool::new`]: crate::Pool::new
/// [`Subscriber::open`]: crate::Subscriber::open
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
    /// together; `None` waits as long as TCP does. Default
    /// `Some(`[`DEFAULT_CONNECT_TIMEOUT`]`)`; not zero.
    pub connect_timeout: Option<Duration>,
    /// Bound on each command: on sending it and on the wait for its reply
    /// (each reply of a pipeline has its own). On expiry the command fails
    /// with [`Error::Timeout`] and the connection is closed. `None` waits
    /// forever (for blocking commands such as `BLPOP` without a timeout).
    /// Default `Some(`[`DEFAULT_READ_TIMEOUT`]`)`; not zero. A
    /// [`Subscriber`](crate::Subscriber) waits for messages without it.
    pub read_timeout: Option<Duration>,
    /// Largest reply accepted, in bytes as received; a larger one fails with
    /// [`Error::Protocol`] (and closes the connection), as soon as its bulk
    /// string or array header announces more, before anything is allocated
    /// for it. Default [`DEFAULT_MAX_REPLY_BYTES`]; at least 16.
    pub max_reply_bytes: usize,
    /// Most arrays a reply may nest inside one another; a deeper one fails
    /// with [`Error::Protocol`] (and closes the connection). Default
    /// [`DEFAULT_MAX_REPLY_DEPTH`]; from 1 to [`MAX_REPLY_DEPTH`].
    pub max_reply_depth: usize,
    /// First wait before reconnecting after a failure (the pool and the
    /// subscriber); it doubles with each failure in a row. Default 100 ms;
    /// not zero (reconnecting with no wait would spin).
    pub backoff_min: Duration,
    /// Longest wait between reconnection attempts. Default 5 s; at least
    /// `backoff_min`.
    pub backoff_max: Duration,
    /// Most connections a [`Pool`](crate::Pool) opens. Default 16; at least
    /// 1.
    pub pool_size: usize,
    /// Longest a [`Pool::get`](crate::Pool::get) waits for a free connection
    /// (and for reconnecting); `None` waits as long as it takes. Default
    /// `Some(`[`DEFAULT_POOL_TIMEOUT`]`)`; not zero.
    pub pool_timeout: Option<Duration>,
    /// Messages a [`Subscriber`](crate::Subscriber) holds for its reader
    /// before it stops reading from the server (Redis then applies its
    /// `client-output-buffer-limit` for pub/sub). Default 1024; at least 1.
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
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            max_reply_depth: DEFAULT_MAX_REPLY_DEPTH,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
            pool_size: 16,
            pool_timeout: Some(DEFAULT_POOL_TIMEOUT),
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
            .field("max_reply_bytes", &self.max_reply_bytes)
            .field("max_reply_depth", &self.max_reply_depth)
            .field("backoff_min", &self.backoff_min)
            .field("backoff_max", &self.backoff_max)
            .field("pool_size", &self.pool_size)
            .field("pool_timeout", &self.pool_timeout)
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
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    max_reply_bytes: usize,
    max_reply_depth: usize,
    backoff_min: Duration,
    backoff_max: Duration,
    pool_size: usize,
    pool_timeout: Option<Duration>,
    message_queue: usize,
});

impl Config {
    /// Reads `redis://[[user]:password@]host[:port][/db]` (`rediss://` for
    /// TLS); the other fields keep their defaults. User and password are
    /// percent-decoded.
    ///
    /// # Errors
    ///
    /// [`Error::Url`] for text that is not a URL, another scheme, a missing
    /// host, a db that is not a number, or a query string (no options are
    /// read from URLs); the [`UrlError`] says which.
    pub fn from_url(text: &str) -> Result<Config> {
        Config::parse_url(text).map_err(Error::Url)
    }

    fn parse_url(text: &str) -> Result<Config, UrlError> {
        let url = Url::parse(text).map_err(UrlError::Parse)?;
        let tls = match url.scheme() {
            "redis" => None,
            "rediss" => Some(tls::ClientConfig::default()),
            other => return Err(UrlError::Scheme(other.to_owned())),
        };
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.to_owned(),
            _ => return Err(UrlError::NoHost),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlError::Query);
        }
        let decode = |part: &str| -> Result<String, UrlError> {
            percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(UrlError::NotUtf8)
        };
        let username = match url.username() {
            "" => None,
            name => Some(decode(name)?),
        };
        let password = url.password().map(decode).transpose()?;
        let db = match url.path().trim_start_matches('/') {
            "" => 0,
            db => db.parse().map_err(UrlError::Db)?,
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

    /// `Ok` if every setting can work: every entry point that takes the
    /// config runs it first ([`connect`], [`Connection::open`],
    /// [`Pool::new`], [`Subscriber::open`], `HubBackplane::attach`), so a bad
    /// value is an error there rather than a failure (or a panic) later.
    ///
    /// [`connect`]: crate::connect
    /// [`Connection::open`]: crate::Connection::open
    /// [`Pool::new`]: crate::Pool::new
    /// [`Subscriber::open`]: crate::Subscriber::open
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field, for a zero `pool_size` or
    /// `message_queue`, a `max_reply_bytes` under 16, a `max_reply_depth` of
    /// 0 or past [`MAX_REPLY_DEPTH`], a zero timeout (`None` turns one off),
    /// a zero `backoff_min`, or a `backoff_max` under `backoff_min`.
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason| Err(ConfigError::new("Config", field, reason));
        if self.pool_size == 0 {
            return invalid("pool_size", "must be at least 1");
        }
        if self.message_queue == 0 {
            return invalid("message_queue", "must be at least 1");
        }
        if self.max_reply_bytes < 16 {
            return invalid("max_reply_bytes", "must be at least 16");
        }
        if !(1..=MAX_REPLY_DEPTH).contains(&self.max_reply_depth) {
            return Err(ConfigError::new(
                "Config",
                "max_reply_depth",
                format!("must be from 1 to {MAX_REPLY_DEPTH}"),
            ));
        }
        let timeouts = [
            ("connect_timeout", self.connect_timeout),
            ("read_timeout", self.read_timeout),
            ("pool_timeout", self.pool_timeout),
        ];
        for (field, timeout) in timeouts {
            if timeout.is_some_and(|t| t.is_zero()) {
                return invalid(field, "must not be zero (None turns it off)");
            }
        }
        if self.backoff_min.is_zero() {
            return invalid("backoff_min", "must not be zero");
        }
        if self.backoff_max < self.backoff_min {
            return invalid("backoff_max", "must be at least backoff_min");
        }
        match &self.tls {
            Some(tls) => tls.check(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
