//! WebSocket settings.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

/// Decides whether a handshake's `Origin` (`None` when absent) is allowed.
pub type OriginCheck = Rc<dyn Fn(Option<&str>) -> bool>;

/// Settings of a WebSocket, server or client side. Each default is documented.
///
/// ```
/// let mut config = silly_websocket::Config::default();
/// config.max_message_size = 1024 * 1024;
/// config.protocols = vec!["chat".into()];
/// config.origin_check = Some(std::rc::Rc::new(|origin| origin == Some("https://example.com")));
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
    /// the write fails and the connection should be dropped.
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
        }
    }
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
            .finish_non_exhaustive()
    }
}
