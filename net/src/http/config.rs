//! Server settings: TLS, limits and timeouts.

use std::time::Duration;

use crate::tls;
use silly_runtime::config::ConfigError;
use silly_runtime::config_setters as setters;

/// Size limits of the server. Each default is chosen for a public-facing server.
/// Start from `Limits::default()` and change fields with the setters of the
/// same name:
///
/// ```
/// use silly_net::http::Limits;
/// let limits = Limits::default().max_body_bytes(1024 * 1024).max_headers(50);
/// assert_eq!((limits.max_body_bytes, limits.max_headers), (1024 * 1024, 50));
/// assert_eq!(limits.max_header_bytes, 64 * 1024, "the default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request head (request line + headers), in bytes. Default 64 KiB,
    /// at least 1; beyond it the answer is 431.
    pub max_header_bytes: usize,
    /// Most header lines in a request head. Default 100, at least 1 (an
    /// HTTP/1.1 request carries `Host`); beyond it, 431.
    pub max_headers: usize,
    /// Largest request body, in bytes, as announced by Content-Length or as
    /// decoded from chunks. Default 8 MiB; beyond it, 413.
    pub max_body_bytes: usize,
    /// Most connections one client address may hold open at once. Default
    /// `None`: no limit (many clients behind one NAT or proxy share an
    /// address), and no cost. Past it, a new connection is refused as soon
    /// as it is accepted, before any request is read: a plain-HTTP client
    /// gets `429 Too Many Requests` with `Connection: close` if its socket
    /// takes it at once, then the connection closes; an HTTPS client sees
    /// the connection close (an answer would cost a TLS handshake, what the
    /// limit is there to spare). Counted by
    /// [`Server::refused_connections`](crate::tcp::Server::refused_connections)
    /// and [`tcp::refused_connections`](crate::tcp::refused_connections); see
    /// [`tcp::Server::set_max_connections_per_ip`](crate::tcp::Server::set_max_connections_per_ip)
    /// for how connections are counted (WebSockets upgraded from a request
    /// count until their handler returns). At least 1.
    pub max_connections_per_ip: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            max_body_bytes: 8 * 1024 * 1024,
            max_connections_per_ip: None,
        }
    }
}

setters!(Limits {
    max_header_bytes: usize,
    max_headers: usize,
    max_body_bytes: usize,
    max_connections_per_ip: Option<usize>,
});

impl Limits {
    /// Checks the limits (see each field for its range).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of its range.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.max_header_bytes == 0 {
            return Err(ConfigError::new(
                "Limits",
                "max_header_bytes",
                "must be at least 1",
            ));
        }
        if self.max_headers == 0 {
            return Err(ConfigError::new(
                "Limits",
                "max_headers",
                "must be at least 1 (an HTTP/1.1 request carries Host)",
            ));
        }
        if self.max_connections_per_ip == Some(0) {
            return Err(ConfigError::new(
                "Limits",
                "max_connections_per_ip",
                "must be at least 1 (None turns the limit off)",
            ));
        }
        Ok(())
    }
}

/// Timeouts of the server, against slow or idle clients. Start from
/// `Timeouts::default()` and change fields with the setters of the same name:
///
/// ```
/// use silly_net::http::Timeouts;
/// use std::time::Duration;
/// let timeouts = Timeouts::default()
///     .keep_alive(Some(Duration::from_secs(5)))
///     .body_read(None);
/// assert_eq!(timeouts.keep_alive, Some(Duration::from_secs(5)));
/// assert_eq!(timeouts.body_read, None, "off: a body may take as long as it takes");
/// assert_eq!(timeouts.write, Some(Duration::from_secs(30)), "the default");
/// ```
///
/// Each is `None` to turn it off; a huge one (`Duration::MAX`) is as good as
/// none. `Some(Duration::ZERO)` is refused by [`check`](Self::check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Longest time from a connection's start (or a request's first byte) to the
    /// end of the request head. Default 10 s; a client that trickles its head
    /// (slowloris) gets 408 and is closed.
    pub request_head: Option<Duration>,
    /// Longest idle time between requests on a keep-alive connection. Default
    /// 60 s; then the connection is closed.
    pub keep_alive: Option<Duration>,
    /// Longest wait for each read of a request body. Default 30 s.
    pub body_read: Option<Duration>,
    /// Longest wait for the client to take each write of a response. Default 30 s.
    pub write: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request_head: Some(Duration::from_secs(10)),
            keep_alive: Some(Duration::from_secs(60)),
            body_read: Some(Duration::from_secs(30)),
            write: Some(Duration::from_secs(30)),
        }
    }
}

setters!(Timeouts {
    request_head: Option<Duration>,
    keep_alive: Option<Duration>,
    body_read: Option<Duration>,
    write: Option<Duration>,
});

impl Timeouts {
    /// Checks the timeouts: none may be `Some(Duration::ZERO)` (`None` turns
    /// one off).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first zero timeout.
    pub fn check(&self) -> Result<(), ConfigError> {
        check_timeouts(
            "Timeouts",
            [
                ("request_head", self.request_head),
                ("keep_alive", self.keep_alive),
                ("body_read", self.body_read),
                ("write", self.write),
            ],
        )
    }
}

/// Refuses the first of `fields` of `config` that is `Some(Duration::ZERO)`:
/// a timeout that passes before anything can happen (`None` turns one off).
pub(crate) fn check_timeouts<const N: usize>(
    config: &'static str,
    fields: [(&'static str, Option<Duration>); N],
) -> Result<(), ConfigError> {
    match fields.iter().find(|(_, t)| t.is_some_and(|t| t.is_zero())) {
        Some((field, _)) => Err(ConfigError::new(
            config,
            field,
            "must be more than zero (None turns it off)",
        )),
        None => Ok(()),
    }
}

/// How [`listen_with`](super::listen_with) serves: TLS, limits and timeouts
/// (the address and the handler are its arguments). Start from
/// `Config::default()` (plain HTTP, default limits and timeouts) and change
/// fields with the setters of the same name:
///
/// ```no_run
/// use silly_net::http::{self, Config, Limits, Timeouts};
/// use std::time::Duration;
/// silly_runtime::run(|| {
///     let config = Config::default()
///         .limits(Limits::default().max_body_bytes(1024 * 1024))
///         .timeouts(Timeouts::default().keep_alive(Some(Duration::from_secs(5))));
///     let server = http::listen_with("127.0.0.1:8080", config, |s| {
///         let _ = s.close(b"hi");
///     })
///     .unwrap();
///     silly_runtime::task::park();
/// });
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Config {
    /// Serve HTTPS with this TLS config. Default `None`: plain HTTP.
    pub tls: Option<tls::ServerConfig>,
    /// Size limits (see [`Limits`] for the defaults).
    pub limits: Limits,
    /// Timeouts (see [`Timeouts`] for the defaults).
    pub timeouts: Timeouts,
}

setters!(Config {
    tls: Option<tls::ServerConfig>,
    limits: Limits,
    timeouts: Timeouts,
});

impl Config {
    /// Checks the limits and the timeouts ([`Limits::check`],
    /// [`Timeouts::check`]); [`listen_with`](super::listen_with) runs it first.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of its range.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.limits.check()?;
        self.timeouts.check()?;
        match &self.tls {
            Some(tls) => tls.check(),
            None => Ok(()),
        }
    }
}
