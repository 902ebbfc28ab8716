//! WebSocket settings.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

/// Decides whether a handshake's `Origin` (`None` when absent) is allowed.
pub type OriginCheck = Rc<dyn Fn(Option<&str>) -> bool>;

/// Longest timeout a [`Config`] takes (about ten years): a deadline is
/// `now + timeout`, which must not overflow the clock.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Smallest `max_frame_size`: a control frame's payload may be 125 bytes
/// (RFC 6455, section 5.5), and a peer's ping or close must be readable.
pub const MIN_FRAME_SIZE: usize = 125;

/// Settings of a WebSocket, server or client side. Each default is documented.
///
/// The struct is `#[non_exhaustive]`: outside this crate, start from
/// [`Config::default()`] and change what you need with the builder-style
/// setters, one per field (or assign the public fields). Values out of
/// range are refused when the config is used ([`upgrade_with`](crate::upgrade_with),
/// [`connect_with`](crate::connect_with)), never later: see [`check`](Self::check).
///
/// ```
/// use std::time::Duration;
/// use silly_websocket::Config;
///
/// let config = Config::default()
///     .max_message_size(1024 * 1024)
///     .write_timeout(Some(Duration::from_secs(10)))
///     .protocols(["chat"])
///     .origin_check(|origin| origin == Some("https://example.com"));
/// assert_eq!(config.max_message_size, 1024 * 1024);
/// assert_eq!(config.protocols, ["chat"]);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Largest frame payload accepted. Default 16 MiB; over it the connection
    /// is closed with 1009.
    pub max_frame_size: usize,
    /// Largest message (all fragments together) accepted. Default 64 MiB; over
    /// it, 1009.
    pub max_message_size: usize,
    /// Messages of this size or more are sent in fragments of this size.
    /// Default 64 KiB (silly's threshold).
    pub fragment_size: usize,
    /// Answer pings with pongs automatically. Default on; pings are still
    /// returned by `read`.
    pub auto_pong: bool,
    /// How long the close handshake may take: waiting for the peer's close
    /// after ours, and (client) for the server to close TCP. Default 5 s.
    pub close_timeout: Duration,
    /// Longest one `read` call waits for data. Default `None`: no limit. On
    /// expiry `read` returns `Error::Io` with `ErrorKind::TimedOut`; the
    /// connection stays usable (a partly received message is kept), so this is an
    /// idle timeout the application decides about.
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
    /// Subprotocols, preferred first. The server picks the first one the client
    /// offers; the client offers them all. Default none.
    pub protocols: Vec<String>,
    /// Server side: decides on the `Origin` header (`None` when absent);
    /// `false` refuses the handshake with 403. Default: accept every origin.
    pub origin_check: Option<OriginCheck>,
    /// Client side: TLS settings for `wss://` (default: webpki roots, verified).
    pub tls: silly_net::tls::ClientConfig,
    /// Client side: longest wait for TCP, TLS and the handshake response.
    /// Default 10 s.
    pub connect_timeout: Duration,
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
    /// `.compression(Some(Compression::shared()))` (see [`Compression`](crate::Compression)).
    pub compression: Option<crate::Compression>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frame_size: 16 * 1024 * 1024,
            max_message_size: 64 * 1024 * 1024,
            fragment_size: 64 * 1024,
            auto_pong: true,
            close_timeout: Duration::from_secs(5),
            read_timeout: None,
            write_timeout: Some(Duration::from_secs(30)),
            protocols: Vec::new(),
            origin_check: None,
            tls: silly_net::tls::ClientConfig::default(),
            connect_timeout: Duration::from_secs(10),
            shutdown_close_code: crate::code::GOING_AWAY,
            compression: None,
        }
    }
}

impl Config {
    /// Sets `max_frame_size`: the largest frame payload accepted.
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets `max_message_size`: the largest message accepted.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets `fragment_size`: the size from which messages
    /// are sent in fragments, and of each fragment.
    pub fn fragment_size(mut self, bytes: usize) -> Self {
        self.fragment_size = bytes;
        self
    }

    /// Sets `auto_pong`: whether pings are answered for you.
    pub fn auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Sets `close_timeout`: how long the close handshake may take.
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Sets `read_timeout`: the longest one `read` waits
    /// (`None`: no limit).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets `write_timeout`: the longest a write waits
    /// for the peer to take data (`None`: no limit).
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Sets `protocols`: the subprotocols, preferred first.
    pub fn protocols<P: Into<String>>(mut self, protocols: impl IntoIterator<Item = P>) -> Self {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `origin_check` (server side): `check` gets the
    /// handshake's `Origin` (`None` when absent) and says whether to accept it.
    pub fn origin_check(mut self, check: impl Fn(Option<&str>) -> bool + 'static) -> Self {
        self.origin_check = Some(Rc::new(check));
        self
    }

    /// Sets `tls` (client side): the TLS settings for `wss://`,
    /// e.g. [`ClientConfig::with_ca_pem`](silly_net::tls::ClientConfig::with_ca_pem)
    /// to trust a private CA or a self-signed certificate.
    pub fn tls(mut self, tls: silly_net::tls::ClientConfig) -> Self {
        self.tls = tls;
        self
    }

    /// Sets `connect_timeout` (client side): the
    /// longest wait for TCP, TLS and the handshake response.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets `shutdown_close_code` (server side): the close code sent when
    /// the server shuts down.
    pub fn shutdown_close_code(mut self, code: u16) -> Self {
        self.shutdown_close_code = code;
        self
    }

    /// Sets `compression`: permessage-deflate settings, `None` for off.
    pub fn compression(mut self, compression: Option<crate::Compression>) -> Self {
        self.compression = compression;
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
    /// assert!(Config::default().fragment_size(0).check().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig), saying which
    /// setting: `fragment_size` 0; `max_frame_size` under
    /// [`MIN_FRAME_SIZE`]; `max_message_size` 0; a timeout over
    /// [`MAX_TIMEOUT`]; a subprotocol that is not an HTTP token (RFC 6455,
    /// section 4.1); compression with a `level` over 9 or `window_bits`
    /// outside 9 to 15 (see [`Compression`](crate::Compression)).
    pub fn check(&self) -> crate::Result<()> {
        use crate::Error::InvalidConfig;
        if self.fragment_size == 0 {
            return Err(InvalidConfig("fragment_size must be at least 1"));
        }
        if self.max_frame_size < MIN_FRAME_SIZE {
            return Err(InvalidConfig(
                "max_frame_size must be at least 125 (a control frame's payload)",
            ));
        }
        if self.max_message_size == 0 {
            return Err(InvalidConfig("max_message_size must be at least 1"));
        }
        let timeouts = [
            Some(self.close_timeout),
            self.read_timeout,
            self.write_timeout,
            Some(self.connect_timeout),
        ];
        if timeouts.into_iter().flatten().any(|t| t > MAX_TIMEOUT) {
            return Err(InvalidConfig("a timeout is over MAX_TIMEOUT (ten years)"));
        }
        if !self.protocols.iter().all(|p| is_token(p)) {
            return Err(InvalidConfig(
                "a subprotocol must be a non-empty HTTP token (no spaces, commas or controls)",
            ));
        }
        if let Some(compression) = &self.compression {
            compression.check()?;
        }
        Ok(())
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
            .field("max_frame_size", &self.max_frame_size)
            .field("max_message_size", &self.max_message_size)
            .field("fragment_size", &self.fragment_size)
            .field("auto_pong", &self.auto_pong)
            .field("close_timeout", &self.close_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("protocols", &self.protocols)
            .field("origin_check", &self.origin_check.is_some())
            .field("shutdown_close_code", &self.shutdown_close_code)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setter_sets_its_field() {
        let config = Config::default()
            .max_frame_size(1)
            .max_message_size(2)
            .fragment_size(3)
            .auto_pong(false)
            .close_timeout(Duration::from_secs(4))
            .read_timeout(Some(Duration::from_secs(5)))
            .write_timeout(None)
            .protocols(["a", "b"])
            .origin_check(|origin| origin.is_none())
            .connect_timeout(Duration::from_secs(6))
            .shutdown_close_code(4000)
            .compression(Some(crate::Compression::shared()));
        assert_eq!((config.max_frame_size, config.max_message_size), (1, 2));
        assert_eq!((config.fragment_size, config.auto_pong), (3, false));
        assert_eq!(config.close_timeout, Duration::from_secs(4));
        assert_eq!(config.read_timeout, Some(Duration::from_secs(5)));
        assert_eq!(config.write_timeout, None);
        assert_eq!(config.protocols, ["a", "b"]);
        let check = config.origin_check.expect("set");
        assert!(check(None) && !check(Some("https://example.com")));
        assert_eq!(config.connect_timeout, Duration::from_secs(6));
        assert_eq!(config.shutdown_close_code, 4000);
        assert_eq!(config.compression, Some(crate::Compression::shared()));
    }

    #[test]
    fn values_that_would_fail_later_are_refused() {
        assert!(Config::default().check().is_ok());
        let bad = [
            Config::default().fragment_size(0),
            Config::default().max_frame_size(124),
            Config::default().max_message_size(0),
            Config::default().close_timeout(Duration::MAX),
            Config::default().read_timeout(Some(Duration::MAX)),
            Config::default().write_timeout(Some(MAX_TIMEOUT + Duration::from_secs(1))),
            Config::default().connect_timeout(Duration::MAX),
            Config::default().protocols([""]),
            Config::default().protocols(["chat, v2"]),
            Config::default().protocols(["a\r\nX-Injected: 1"]),
            Config::default().compression(Some(crate::Compression {
                level: 10,
                ..crate::Compression::shared()
            })),
            Config::default().compression(Some(crate::Compression {
                window_bits: 8,
                ..crate::Compression::shared()
            })),
        ];
        for config in bad {
            let err = config.check().expect_err("refused");
            assert!(
                matches!(err, crate::Error::InvalidConfig(_)),
                "{config:?}: {err}"
            );
        }
        let edge = Config::default()
            .fragment_size(1)
            .max_frame_size(MIN_FRAME_SIZE)
            .max_message_size(1)
            .read_timeout(Some(MAX_TIMEOUT))
            .protocols(["chat.v2", "x-y_z"]);
        assert!(edge.check().is_ok());
    }
}
