//! The crate's error type: what went wrong, told apart by variant.

use std::fmt;
use std::io;
use std::num::ParseIntError;
use std::str::Utf8Error;

use silly_runtime::config::ConfigError;

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a Redis operation failed.
///
/// After [`Io`](Error::Io), [`Timeout`](Error::Timeout),
/// [`Closed`](Error::Closed) or [`Protocol`](Error::Protocol) the connection
/// is closed (a reply may be half read) and every later command on it fails
/// with [`Closed`](Error::Closed) (or [`Interrupted`](Error::Interrupted),
/// when an interrupt closed it); a pool drops such a connection. A
/// [`Server`](Error::Server) or [`Type`](Error::Type) error leaves the
/// connection usable.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The socket failed (connect refused, reset, broken pipe, TLS failure).
    Io(io::Error),
    /// No reply (or connection) within the configured timeout.
    Timeout,
    /// The server closed the connection, or an earlier failure closed it.
    Closed,
    /// An earlier command on this connection was interrupted (a
    /// `time::timeout`, a cancellation, shutdown) while it was being
    /// written, so the connection was shut rather than let the server read
    /// a torn command followed by the next one: open another (a pool does).
    Interrupted,
    /// The server answered with an error reply (`-ERR ...`, `-WRONGPASS ...`).
    Server(ServerError),
    /// The server sent bytes that are not RESP2, a reply larger than
    /// [`Config::max_reply_bytes`](crate::Config::max_reply_bytes) (or
    /// announcing a length past it), or one nested deeper than
    /// [`Config::max_reply_depth`](crate::Config::max_reply_depth); the
    /// [`ProtocolError`] (also the [`source`](std::error::Error::source))
    /// says which.
    Protocol(ProtocolError),
    /// The URL could not be used; the [`UrlError`] (also the
    /// [`source`](std::error::Error::source)) says why.
    Url(UrlError),
    /// A [`Config`](crate::Config) value no connection can work with, found
    /// by [`Config::check`](crate::Config::check) (or
    /// `BackplaneConfig::check`) when an entry point was given it.
    Config(ConfigError),
    /// A reply could not be converted to the requested type (its text says
    /// what was expected and what came).
    Type(String),
    /// A request no server could serve: an empty command.
    Invalid(String),
    /// No pooled connection became free within
    /// [`Config::pool_timeout`](crate::Config::pool_timeout).
    PoolTimeout,
}

impl Error {
    /// Whether this is a timeout: [`Timeout`](Error::Timeout),
    /// [`PoolTimeout`](Error::PoolTimeout), or an [`Io`](Error::Io) error of
    /// kind `TimedOut`. Every error type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout | Error::PoolTimeout => true,
            Error::Io(e) => e.kind() == io::ErrorKind::TimedOut,
            _ => false,
        }
    }

    /// Whether the connection that returned this error can no longer be used.
    pub fn breaks_connection(&self) -> bool {
        matches!(
            self,
            Error::Io(_) | Error::Timeout | Error::Closed | Error::Interrupted | Error::Protocol(_)
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "redis: i/o error: {e}"),
            Error::Timeout => f.write_str("redis: timed out"),
            Error::Closed => f.write_str("redis: connection closed"),
            Error::Interrupted => f.write_str(
                "redis: connection closed: an interrupted command was left partly written",
            ),
            Error::Server(e) => write!(f, "redis: server error: {e}"),
            Error::Protocol(e) => write!(f, "redis: protocol error: {e}"),
            Error::Url(e) => write!(f, "redis: bad url: {e}"),
            Error::Config(e) => write!(f, "redis: {e}"),
            Error::Type(why) => write!(f, "redis: unexpected reply: {why}"),
            Error::Invalid(why) => write!(f, "redis: invalid request: {why}"),
            Error::PoolTimeout => f.write_str("redis: no pooled connection free in time"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Server(e) => Some(e),
            Error::Protocol(e) => Some(e),
            Error::Url(e) => Some(e),
            Error::Config(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    /// `TimedOut` becomes [`Error::Timeout`], `UnexpectedEof` [`Error::Closed`];
    /// the rest stays [`Error::Io`].
    fn from(e: io::Error) -> Error {
        match e.kind() {
            io::ErrorKind::TimedOut => Error::Timeout,
            io::ErrorKind::UnexpectedEof => Error::Closed,
            _ => Error::Io(e),
        }
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Error {
        Error::Server(e)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Error {
        Error::Config(e)
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Error {
        Error::Protocol(e)
    }
}

impl From<UrlError> for Error {
    fn from(e: UrlError) -> Error {
        Error::Url(e)
    }
}

impl From<silly_runtime::time::Elapsed> for Error {
    fn from(_: silly_runtime::time::Elapsed) -> Error {
        Error::Timeout
    }
}

/// An error reply from the server, such as `WRONGPASS invalid username-password
/// pair or user is disabled.`: its text, and the kind (the first word, by
/// Redis's convention an upper-case code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    text: String,
}

impl ServerError {
    /// The error reply's whole text, as the server sent it (without the `-`).
    pub fn new(text: impl Into<String>) -> ServerError {
        ServerError { text: text.into() }
    }

    /// The kind prefix: `ERR`, `WRONGTYPE`, `WRONGPASS`, `NOAUTH`, `NOSCRIPT`...
    pub fn kind(&self) -> &str {
        self.text.split(' ').next().unwrap_or("")
    }

    /// The text after the kind (the whole text if it has a single word).
    pub fn message(&self) -> &str {
        match self.text.split_once(' ') {
            Some((_, rest)) => rest,
            None => &self.text,
        }
    }

    /// The whole text: kind and message.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for ServerError {}

/// How the bytes a server sent broke RESP2 or the configured limits: the
/// [`Error::Protocol`] that closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A reply began with this byte, which starts no RESP2 type.
    UnknownType(u8),
    /// A bulk string's bytes were not followed by CRLF.
    MissingCrlf,
    /// A line that must hold a decimal integer (an integer reply, a
    /// length) held these bytes (its first 64).
    NotAnInteger(Vec<u8>),
    /// An integer line too large for an `i64` (the parse error is the
    /// [`source`](std::error::Error::source)).
    IntegerOutOfRange(ParseIntError),
    /// A bulk string or an array announced a negative length other than -1
    /// (nil).
    NegativeLength(i64),
    /// A bulk string or an array announced a length past
    /// [`Config::max_reply_bytes`](crate::Config::max_reply_bytes).
    LengthPastLimit {
        /// The length announced.
        len: i64,
        /// The limit.
        max_bytes: usize,
    },
    /// The reply in progress grew past
    /// [`Config::max_reply_bytes`](crate::Config::max_reply_bytes).
    TooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// Arrays nested deeper than
    /// [`Config::max_reply_depth`](crate::Config::max_reply_depth).
    TooDeep {
        /// The limit.
        max_depth: usize,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::UnknownType(byte) => write!(
                f,
                "a reply starts with {:?}, not a RESP2 type",
                char::from(*byte)
            ),
            ProtocolError::MissingCrlf => f.write_str("a bulk string is not followed by CRLF"),
            ProtocolError::NotAnInteger(line) => {
                write!(f, "{:?} is not an integer", String::from_utf8_lossy(line))
            }
            ProtocolError::IntegerOutOfRange(_) => f.write_str("an integer out of range"),
            ProtocolError::NegativeLength(len) => write!(f, "a length of {len}"),
            ProtocolError::LengthPastLimit { len, max_bytes } => write!(
                f,
                "a length of {len}, past the reply size limit of {max_bytes} bytes"
            ),
            ProtocolError::TooLarge { max_bytes } => {
                write!(f, "reply larger than the limit of {max_bytes} bytes")
            }
            ProtocolError::TooDeep { max_depth } => write!(
                f,
                "reply nested deeper than the limit of {max_depth} arrays"
            ),
        }
    }
}

impl std::error::Error for ProtocolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProtocolError::IntegerOutOfRange(e) => Some(e),
            _ => None,
        }
    }
}

/// Why [`Config::from_url`](crate::Config::from_url) could not use a URL:
/// the [`Error::Url`]. Its text never repeats the URL, which may hold a
/// password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a URL at all (the parse error is the
    /// [`source`](std::error::Error::source)).
    Parse(url::ParseError),
    /// A scheme other than `redis` or `rediss`.
    Scheme(String),
    /// No host.
    NoHost,
    /// A query string or a fragment: no options are read from URLs.
    Query,
    /// The user or the password is not UTF-8 once percent-decoded.
    NotUtf8(Utf8Error),
    /// The path is not a db number.
    Db(ParseIntError),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Parse(e) => write!(f, "not a URL: {e}"),
            UrlError::Scheme(scheme) => {
                write!(f, "the scheme {scheme:?} is not redis:// or rediss://")
            }
            UrlError::NoHost => f.write_str("no host"),
            UrlError::Query => f.write_str("query strings and fragments are not supported"),
            UrlError::NotUtf8(_) => f.write_str("user or password is not UTF-8"),
            UrlError::Db(_) => f.write_str("the path is not a db number"),
        }
    }
}

impl std::error::Error for UrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UrlError::Parse(e) => Some(e),
            UrlError::NotUtf8(e) => Some(e),
            UrlError::Db(e) => Some(e),
            _ => None,
        }
    }
}
