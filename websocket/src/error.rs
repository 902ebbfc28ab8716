//! Errors of the WebSocket layer.

use std::fmt;
use std::io;

use silly_net::http::Headers;
use silly_runtime::config::ConfigError;

/// Largest part of a refusal's body kept in [`Rejection::body`]: enough
/// for any error page worth reading, and a server cannot make the client
/// hold more.
pub const MAX_REJECTION_BODY_BYTES: usize = 64 * 1024;

/// What went wrong on a WebSocket.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The connection failed or timed out (a read or write timeout: kind
    /// `TimedOut`, see [`is_timeout`](Self::is_timeout)).
    Io(io::Error),
    /// The HTTP exchange of the handshake failed or timed out (client
    /// side; `connect_timeout` passed: [`is_timeout`](Self::is_timeout)).
    /// Its source is the HTTP error.
    Http(silly_net::http::Error),
    /// The peer's handshake was not a valid WebSocket handshake: server
    /// side, a request answered 400, 403 or 426; client side, a 101 answer
    /// that is not a valid one (a wrong `Sec-WebSocket-Accept`, an
    /// extension or subprotocol not offered). Another status than 101 is
    /// [`Error::Rejected`].
    Handshake(String),
    /// Client side: the server answered the handshake with another status
    /// than 101 (a 401, 403, 404, a redirect...): what it said.
    Rejected(Box<Rejection>),
    /// The peer sent nothing within `Config::ping_timeout` after our
    /// keepalive ping (it vanished, or stopped reading): the connection was
    /// closed, after a close frame with 1011 if the socket took it at once
    /// (see [Liveness](crate#liveness)). [`is_timeout`](Self::is_timeout)
    /// is true, and later calls return it too.
    PingTimeout,
    /// A URL that is not `ws://` or `wss://`.
    InvalidUrl(String),
    /// The connection closed without a close handshake (the peer vanished).
    /// `partial` holds the bytes of a message that was being received.
    Eof {
        /// Bytes of the unfinished message.
        partial: Vec<u8>,
    },
    /// The peer broke the protocol or a limit; we sent a close frame with
    /// `code` and `reason` and closed.
    Protocol {
        /// The close code sent (1002, 1007, 1009, or 1008 past
        /// `Config::max_messages_per_second`).
        code: u16,
        /// What was wrong.
        reason: &'static str,
    },
    /// The close handshake has completed (or we started it): no more messages.
    Closed,
    /// The connection was ended at once, without a close handshake, for the
    /// reason given: a reset or socket error, a write over TLS or a close
    /// cut short by an interrupt (see [Interrupts](crate#interrupts)).
    Aborted(&'static str),
    /// A ping, pong or close payload over 125 bytes.
    ControlFrameTooLarge,
    /// Text that is not UTF-8.
    InvalidUtf8,
    /// `Continuation` is not something to write: messages are fragmented for you.
    InvalidFrameType,
    /// A close code that may not be sent.
    InvalidCloseCode(u16),
    /// A setting out of its range, found when the config was used (its
    /// source names the setting).
    InvalidConfig(ConfigError),
    /// A client socket given to a [`Hub`](crate::Hub), which takes server
    /// sockets only (a client masks each frame with its own key: no frame
    /// could be shared).
    ClientSocket,
    /// [`RuntimeBackplane::attach`](crate::RuntimeBackplane::attach): as
    /// many hubs as the backplane was made for are attached already.
    BackplaneFull,
    /// Another coroutine is reading this socket: one `read` at a time (a
    /// clone of the socket shares its reader; see [`Socket`](crate::Socket)).
    ReadInProgress,
}

impl Error {
    /// Whether a timeout ended the call: a read or write timeout of the
    /// socket (`Io` with `TimedOut`), the handshake's `connect_timeout`, or
    /// a peer silent past `ping_timeout` ([`Error::PingTimeout`]).
    /// An interrupt (`time::timeout`) is not an error: it unwinds.
    pub fn is_timeout(&self) -> bool {
        use silly_net::http::Error as Http;
        match self {
            Error::Io(e) | Error::Http(Http::Io(e)) => e.kind() == io::ErrorKind::TimedOut,
            Error::Http(Http::Timeout { .. }) | Error::PingTimeout => true,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "websocket: {e}"),
            Error::Http(e) => write!(f, "websocket handshake: {e}"),
            Error::Handshake(why) => write!(f, "websocket handshake: {why}"),
            Error::Rejected(r) => write!(
                f,
                "websocket handshake: the server answered {}, not 101 Switching Protocols",
                r.status
            ),
            Error::PingTimeout => f.write_str(
                "websocket: the peer answered no ping in time (ping_timeout): the connection was closed",
            ),
            Error::InvalidUrl(u) => write!(f, "websocket: invalid URL {u}"),
            Error::Eof { partial } => write!(
                f,
                "websocket: connection closed without a close frame ({} bytes of a message pending)",
                partial.len()
            ),
            Error::Protocol { code, reason } => write!(f, "websocket: protocol error ({code}): {reason}"),
            Error::Closed => f.write_str("websocket: connection closed"),
            Error::Aborted(why) => write!(f, "websocket: {why}"),
            Error::ControlFrameTooLarge => f.write_str("websocket: control frame payload over 125 bytes"),
            Error::InvalidUtf8 => f.write_str("websocket: text is not valid UTF-8"),
            Error::InvalidFrameType => f.write_str("websocket: cannot write a continuation frame"),
            Error::InvalidCloseCode(c) => write!(f, "websocket: invalid close code {c}"),
            Error::InvalidConfig(e) => write!(f, "websocket: {e}"),
            Error::ClientSocket => f.write_str("websocket: a hub takes server sockets only"),
            Error::BackplaneFull => f.write_str("websocket: every hub of this runtime backplane is attached already"),
            Error::ReadInProgress => f.write_str("websocket: another coroutine is reading this socket"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Http(e) => Some(e),
            Error::InvalidConfig(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// An HTTP error of the handshake, kept whole (a timeout stays
/// `http::Error::Timeout` with its phase); only a socket error is unwrapped
/// into [`Error::Io`], where the socket's own I/O errors are.
impl From<silly_net::http::Error> for Error {
    fn from(e: silly_net::http::Error) -> Self {
        match e {
            silly_net::http::Error::Io(io) => Error::Io(io),
            other => Error::Http(other),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::InvalidConfig(e)
    }
}

/// A server's refusal of the handshake: any answer but 101, as received.
/// [`Error::Rejected`] holds it.
///
/// ```no_run
/// use silly_websocket::{connect, Error};
///
/// silly_runtime::run(|| match connect("ws://127.0.0.1:8080/chat", &[]) {
///     Err(Error::Rejected(answer)) if answer.status == 401 => {
///         let why = String::from_utf8_lossy(&answer.body);
///         println!("log in first ({why}); see {:?}", answer.headers.get("www-authenticate"));
///     }
///     Err(other) => println!("{other}"),
///     Ok(_) => {}
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rejection {
    /// The status code (not 101).
    pub status: u16,
    /// The response headers.
    pub headers: Headers,
    /// The response body: its first [`MAX_REJECTION_BODY_BYTES`] bytes (the
    /// rest is not read; the connection is closed).
    pub body: Vec<u8>,
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
