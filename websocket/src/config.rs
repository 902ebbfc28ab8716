//! WebSocket settings.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use silly_runtime::config::ConfigError;

use crate::close::code;
use crate::deflate::Compression;

/// Decides whether a handshake's `Origin` (`None` when absent) is allowed.
pub type OriginCheck = Rc<dyn Fn(Option<&str>) -> bool>;

/// Smallest `max_frame_bytes`: a control frame's payload may be 125 bytes
/// (RFC 6455, section 5.5), and a peer's ping or close must be readable.
pub const MIN_FRAME_BYTES: usize = 125;

/// Settings of a WebSocket, server or client side. Each default is documented.
///
/// The struct is `#[non_exhaustive]`: outside this crate, start from
/// [`Config::default()`] and change what you need with the builder-style
/// setters, one per field (or assign the public fields). Setters check
/// nothing; values out of range are refused when the config is used
/// ([`upgrade_with`](crate::upgrade_with), [`connect_with`](crate::connect_with)),
/// never later: see [`check`](Self::check). A timeout of `None` is no
/// limit, and so is one too large for the clock.
///
/// ```
/// use std::time::Duration;
/// use silly_websocket::Config;
///
/// let config = Config::default()
///     .max_message_bytes(1024 * 1024)
///     .write_timeout(Some(Duration::from_secs(10)))
///     .protocols(["chat"])
///     .origin_check(|origin| origin == Some("https://example.com"));
/// assert_eq!(config.max_message_bytes, 1024 * 1024);
/// assert_eq!(config.protocols, ["chat"]);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Largest frame payload accepted, in bytes, at least
    /// [`MIN_FRAME_BYTES`]. Default 16 MiB; over it the connection is
    /// closed with 1009.
    pub max_frame_bytes: usize,
    /// Largest message (all fragments together, inflated) accepted, in
    /// bytes, at least 1. Default 64 MiB; over it, 1009.
    pub max_message_bytes: usize,
    /// Messages of this size or more are sent in fragments of this size
    /// (bytes, at least 1). Default 64 KiB (silly's threshold).
    pub fragment_size: usize,
    /// Answer pings with pongs automatically. Default on; pings are still
    /// returned by `read`.
    pub auto_pong: bool,
    /// How long the close handshake may take: waiting for the peer's close
    /// after ours, and (client) for the server to close TCP. Default 5 s;
    /// `None` waits as long as the peer keeps the connection open.
    pub close_timeout: Option<Duration>,
    /// Longest one `read` call waits for data. Default `None`: no limit. On
    /// expiry `read` returns `Error::Io` with `ErrorKind::TimedOut`
    /// ([`Error::is_timeout`](crate::Error::is_timeout)); the connection
    /// stays usable (a partly received message is kept), so this is an idle
    /// timeout the application decides about.
    pub read_timeout: Option<Duration>,
    /// Longest a write may wait for the peer to take data. Default 30 s; then
    /// the write fails with `TimedOut`. As after an interrupt, a message
    /// begun is finished by the socket's next write (over TLS the connection
    /// is closed instead: see [Interrupts](crate#interrupts)); a peer that
    /// takes nothing for that long is usually best dropped.
    ///
    /// This is the write high-water mark: nothing is queued in user space, a
    /// writer is suspended while the kernel's send buffer is full, so a peer
    /// that stops reading costs at most one frame of memory, and this timeout
    /// bounds how long it can hold the writer.
    pub write_timeout: Option<Duration>,
    /// Subprotocols, preferred first, each an HTTP token. The server picks
    /// the first one the client offers; the client offers them all. Default
    /// none.
    pub protocols: Vec<String>,
    /// Server side: decides on the `Origin` header (`None` when absent);
    /// `false` refuses the handshake with 403. Default: accept every origin.
    pub origin_check: Option<OriginCheck>,
    /// Client side: TLS settings for `wss://` (default: webpki roots, verified).
    pub tls: silly_net::tls::ClientConfig,
    /// Client side: longest wait for TCP, TLS and the handshake response.
    /// Default 10 s; `None`: no limit.
    pub connect_timeout: Option<Duration>,
    /// Server side: the close code sent to this socket when the HTTP server
    /// shuts down gracefully. Default 1001 (Going Away); 1012 (Service
    /// Restart) tells clients to reconnect, and an application code
    /// (4000-4999) can say more. A code that may not be
    /// sent ([`is_valid_close_code`](crate::is_valid_close_code)) is replaced
    /// by 1001.
    pub shutdown_close_code: u16,
    /// permessage-deflate (RFC 7692): offered by a client, accepted by a
    /// server when the peer offers it. Default `None` (off): compression
    /// costs CPU on every message and, with per-connection contexts, memory,
    /// and pays only for compressible messages of some size; turn it on with
    /// `.compression(Some(Compression::shared()))` (see [`Compression`]).
    pub compression: Option<Compression>,
    /// Keepalive: send a ping once nothing has been received from the peer
    /// for this long (client and server side alike). Default `None` (off).
    /// A peer that then sends nothing within
    /// [`ping_timeout`](#structfield.ping_timeout) is dropped; see
    /// [Liveness](crate#liveness). Received means read: a socket checks
    /// what its `read` took in, so keep a coroutine in `read` (as a socket
    /// needs anyway, for pongs and close frames).
    pub ping_interval: Option<Duration>,
    /// Keepalive: how long the peer has, after our ping, to send anything
    /// (its pong, or any frame). Then the connection is closed with 1011
    /// (see [Liveness](crate#liveness)) and `read` returns
    /// [`Error::PingTimeout`](crate::Error::PingTimeout). Default 20 s (as
    /// Python websockets); used only with `ping_interval`; `None`: pings
    /// are sent, but no answer is awaited.
    pub ping_timeout: Option<Duration>,
    /// Most messages a peer may send per second (data messages, pings and
    /// pongs; a fragmented message counts once), over a token bucket that
    /// holds a second's worth: a burst of this many is taken at once, then
    /// one every `1/n` s. Past it the connection is failed with 1008
    /// (Policy Violation) and `read` returns [`Error::Protocol`](crate::Error::Protocol)
    /// with that code; [`stats`](crate::stats) counts it. Default `None`
    /// (no limit).
    pub max_messages_per_second: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frame_bytes: 16 * 1024 * 1024,
            max_message_bytes: 64 * 1024 * 1024,
            fragment_size: 64 * 1024,
            auto_pong: true,
            close_timeout: Some(Duration::from_secs(5)),
            read_timeout: None,
            write_timeout: Some(Duration::from_secs(30)),
            protocols: Vec::new(),
            origin_check: None,
            tls: silly_net::tls::ClientConfig::default(),
            connect_timeout: Some(Duration::from_secs(10)),
            shutdown_close_code: code::GOING_AWAY,
            compression: None,
            ping_interval: None,
            ping_timeout: Some(Duration::from_secs(20)),
            max_messages_per_second: None,
        }
    }
}

silly_runtime::config_setters!(Config {
    max_frame_bytes: usize,
    max_message_bytes: usize,
    fragment_size: usize,
    auto_pong: bool,
    close_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    tls: silly_net::tls::ClientConfig,
    connect_timeout: Option<Duration>,
    shutdown_close_code: u16,
    compression: Option<Compression>,
    ping_interval: Option<Duration>,
    ping_timeout: Option<Duration>,
    max_messages_per_second: Option<u32>,
});

/// The two setters that take what is easier to write than the field's type.
impl Config {
    /// Sets [`protocols`](#structfield.protocols): the subprotocols,
    /// preferred first (its default is on the field).
    #[must_use]
    pub fn protocols<P: Into<String>>(mut self, protocols: impl IntoIterator<Item = P>) -> Self {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`origin_check`](#structfield.origin_check) (server side):
    /// `check` gets the handshake's `Origin` (`None` when absent) and says
    /// whether to accept it.
    #[must_use]
    pub fn origin_check(mut self, check: impl Fn(Option<&str>) -> bool + 'static) -> Self {
        self.origin_check = Some(Rc::new(check));
        self
    }
}

impl Config {
    /// Checks every setting, as [`upgrade_with`](crate::upgrade_with) and
    /// [`connect_with`](crate::connect_with) do before using them.
    ///
    /// ```
    /// use silly_websocket::Config;
    ///
    /// assert!(Config::default().check().is_ok());
    /// let err = Config::default().fragment_size(0).check().unwrap_err();
    /// assert_eq!(err.field(), "fragment_size");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the setting: `fragment_size` 0;
    /// `max_frame_bytes` under [`MIN_FRAME_BYTES`]; `max_message_bytes` 0;
    /// a subprotocol that is not an HTTP token (RFC 6455, section 4.1);
    /// compression settings out of range ([`Compression::check`]);
    /// `ping_interval` or `ping_timeout` of zero (a ping per loop turn, or
    /// a close at once: use `None` to turn them off);
    /// `max_messages_per_second` 0 (`None` is no limit).
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason| Err(ConfigError::new("Config", field, reason));
        if self.fragment_size == 0 {
            return invalid("fragment_size", "must be at least 1");
        }
        if self.max_frame_bytes < MIN_FRAME_BYTES {
            return invalid(
                "max_frame_bytes",
                "must be at least 125 (a control frame's payload)",
            );
        }
        if self.max_message_bytes == 0 {
            return invalid("max_message_bytes", "must be at least 1");
        }
        if !self.protocols.iter().all(|p| is_token(p)) {
            return invalid(
                "protocols",
                "each must be a non-empty HTTP token (no spaces, commas or controls)",
            );
        }
        if self.ping_interval == Some(Duration::ZERO) {
            return invalid(
                "ping_interval",
                "must be more than zero (None turns pings off)",
            );
        }
        if self.ping_timeout == Some(Duration::ZERO) {
            return invalid(
                "ping_timeout",
                "must be more than zero (None waits for ever)",
            );
        }
        if self.max_messages_per_second == Some(0) {
            return invalid(
                "max_messages_per_second",
                "must be at least 1 (None is no limit)",
            );
        }
        if let Some(compression) = &self.compression {
            compression.check()?;
        }
        self.tls.check()
    }
}

/// An HTTP token (RFC 9110, section 5.6.2), what a subprotocol name is.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("max_frame_bytes", &self.max_frame_bytes)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("fragment_size", &self.fragment_size)
            .field("auto_pong", &self.auto_pong)
            .field("close_timeout", &self.close_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("protocols", &self.protocols)
            .field("origin_check", &self.origin_check.is_some())
            .field("shutdown_close_code", &self.shutdown_close_code)
            .field("compression", &self.compression)
            .field("ping_interval", &self.ping_interval)
            .field("ping_timeout", &self.ping_timeout)
            .field("max_messages_per_second", &self.max_messages_per_second)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
