//! The crate's error type: what went wrong, told apart by variant.

use std::fmt;
use std::io;

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
    /// [`Config::max_reply_size`](crate::Config::max_reply_size) (or
    /// announcing a length past it), or one nested deeper than
    /// [`Config::max_reply_depth`](crate::Config::max_reply_depth).
    Protocol(String),
    /// The URL could not be used (its text says why).
    Url(String),
    /// A reply could not be converted to the requested type (its text says
    /// what was expected and what came).
    Type(String),
    /// A request no server could serve: an empty command, or a
    /// [`Config`](crate::Config) value no connection can work with.
    Invalid(String),
    /// No pooled connection became free within
    /// [`Config::pool_wait`](crate::Config::pool_wait).
    PoolTimeout,
}

impl Error {
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
            Error::Protocol(why) => write!(f, "redis: protocol error: {why}"),
            Error::Url(why) => write!(f, "redis: bad url: {why}"),
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
