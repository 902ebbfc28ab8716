//! Errors of the HTTP server and client.

use std::fmt;
use std::io;

use silly_runtime::config::ConfigError;

/// What went wrong in an HTTP exchange.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The connection failed, or (on the server side) timed out.
    Io(io::Error),
    /// A client request ran out of time in `phase`: the step's own timeout
    /// (`connect_timeout`, `read_timeout` of
    /// [`ClientConfig`](super::ClientConfig)) or the request's total deadline
    /// ([`ClientConfig::request_timeout`](super::ClientConfig::request_timeout),
    /// [`RequestBuilder::timeout`](super::RequestBuilder::timeout),
    /// [`RequestBuilder::deadline`](super::RequestBuilder::deadline)) passed.
    /// The connection is closed, not pooled.
    ///
    /// ```no_run
    /// use silly_net::http::{Client, Error, Phase};
    /// use std::time::Duration;
    /// silly_runtime::run(|| {
    ///     let client = Client::default();
    ///     let request = client
    ///         .build_request("GET", "http://127.0.0.1:8080/slow")
    ///         .timeout(Some(Duration::from_secs(2)));
    ///     match request.send() {
    ///         Err(Error::Timeout { phase: Phase::Connect }) => { /* unreachable host */ }
    ///         Err(Error::Timeout { phase }) => { /* the server was slow in `phase` */ }
    ///         _ => {}
    ///     }
    /// });
    /// ```
    Timeout {
        /// The part of the exchange that was under way.
        phase: Phase,
    },
    /// A header name or value that cannot be sent (CR, LF or NUL in a value, a
    /// name that is not an HTTP token): refused to prevent header injection.
    InvalidHeader(String),
    /// A response was already started on this stream.
    AlreadyResponded,
    /// The body needs a response head first ([`Stream::respond`](super::Stream::respond)).
    NotResponded,
    /// The request body is larger than the server's limit (413 was sent).
    BodyTooLarge,
    /// More body bytes were written than the Content-Length announced.
    BodyOverrun,
    /// The peer's body framing is broken (bad chunk size, missing CRLF), or the
    /// body ended before its announced length.
    InvalidBody(&'static str),
    /// The connection was taken by [`Stream::upgrade`](super::Stream::upgrade).
    Upgraded,
    /// A URL the client cannot use; `error` says why (and is the
    /// [`source`](std::error::Error::source)).
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it cannot be used.
        error: UrlError,
    },
    /// The server's response head is not one the client can use.
    InvalidResponse(ResponseError),
    /// More redirects than allowed.
    TooManyRedirects,
    /// A redirect from `https://` to this `http://` URL, refused unless
    /// [`ClientConfig::redirect_https_to_http`](super::ClientConfig::redirect_https_to_http)
    /// allows it.
    InsecureRedirect(String),
    /// A response status outside 100..=999, which HTTP cannot carry.
    InvalidStatus(u16),
    /// A config value that cannot work ([`Client::new`](super::Client::new)
    /// runs [`ClientConfig::check`](super::ClientConfig::check)); it is the
    /// [`source`](std::error::Error::source).
    Config(ConfigError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "http: {e}"),
            Error::Timeout { phase } => write!(f, "http: timed out {phase}"),
            Error::InvalidHeader(h) => write!(f, "http: invalid header {h:?}"),
            Error::AlreadyResponded => f.write_str("http: response already started"),
            Error::NotResponded => f.write_str("http: respond() must come before the body"),
            Error::BodyTooLarge => f.write_str("http: request body over the limit"),
            Error::BodyOverrun => f.write_str("http: body longer than its Content-Length"),
            Error::InvalidBody(why) => write!(f, "http: invalid body: {why}"),
            Error::Upgraded => f.write_str("http: connection was upgraded"),
            Error::InvalidUrl { url, error } => write!(f, "http: invalid URL {url:?}: {error}"),
            Error::InvalidResponse(why) => write!(f, "http: invalid response: {why}"),
            Error::TooManyRedirects => f.write_str("http: too many redirects"),
            Error::InsecureRedirect(url) => write!(
                f,
                "http: refused a redirect from https to {url} (ClientConfig::redirect_https_to_http)"
            ),
            Error::InvalidStatus(s) => write!(f, "http: invalid status {s} (must be 100..=999)"),
            Error::Config(e) => write!(f, "http: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::InvalidResponse(e) => Some(e),
            Error::Config(e) => Some(e),
            Error::InvalidUrl { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl Error {
    /// Whether this is a timeout: [`Error::Timeout`] (a client request ran
    /// out of time), or an [`Error::Io`] of kind `TimedOut` (a server's read
    /// or write timeout). Every error type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Io(e) => e.kind() == io::ErrorKind::TimedOut,
            _ => false,
        }
    }
}

/// Why the client cannot use a URL ([`Error::InvalidUrl`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// It is not a URL; the parser's error is the
    /// [`source`](std::error::Error::source).
    Parse(url::ParseError),
    /// A scheme other than `http` and `https` (the scheme is carried).
    UnsupportedScheme(String),
    /// A URL without a host (such as `http:/path`).
    NoHost,
}

impl UrlError {
    /// Always false: a URL error is never a timeout. Every error type of
    /// silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Parse(e) => write!(f, "{e}"),
            UrlError::UnsupportedScheme(scheme) => {
                write!(f, "unsupported scheme {scheme:?} (use http or https)")
            }
            UrlError::NoHost => f.write_str("no host"),
        }
    }
}

impl std::error::Error for UrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UrlError::Parse(e) => Some(e),
            _ => None,
        }
    }
}

/// The part of a client request that ran out of time ([`Error::Timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Resolving the host, connecting, and the TLS handshake for `https://`.
    Connect,
    /// Writing the request head and body.
    Send,
    /// Waiting for the response head (interim 1xx responses included).
    Head,
    /// Reading the response body.
    Body,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connecting",
            Phase::Send => "sending the request",
            Phase::Head => "waiting for the response head",
            Phase::Body => "reading the response body",
        })
    }
}

/// Why the client refused a server's response head (client side of what
/// [`Error::InvalidResponse`] reports).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// The status line or a header field is not HTTP/1.x syntax; says which part
    /// (e.g. `"invalid status"`, `"invalid header name"`).
    Malformed(&'static str),
    /// More than 128 header fields.
    TooManyHeaders,
    /// The head is longer than the client's `max_response_head_bytes` (the limit, in
    /// bytes, is carried).
    HeadTooLarge(usize),
    /// Content-Length values that are not one decimal number; says how.
    InvalidContentLength(&'static str),
    /// The connection closed inside the response head.
    Truncated,
    /// A redirect's `Location` that does not resolve against the request's URL.
    InvalidLocation {
        /// The header's value.
        location: String,
        /// Why it does not resolve.
        error: url::ParseError,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Malformed(why) => write!(f, "malformed response head: {why}"),
            ResponseError::TooManyHeaders => f.write_str("too many header fields"),
            ResponseError::HeadTooLarge(max) => write!(f, "response head over {max} bytes"),
            ResponseError::InvalidContentLength(why) => f.write_str(why),
            ResponseError::Truncated => f.write_str("connection closed inside the response head"),
            ResponseError::InvalidLocation { location, error } => {
                write!(f, "bad Location {location:?}: {error}")
            }
        }
    }
}

impl ResponseError {
    /// Always false: a refused response head is never a timeout (a slow one
    /// is [`Error::Timeout`]). Every error type of silly-rs answers
    /// `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResponseError::InvalidLocation { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;
