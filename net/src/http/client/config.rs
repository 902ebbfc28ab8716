//! Client settings: timeouts, pool, redirects, limits, TLS.

use std::time::Duration;

use crate::http::config::check_timeouts;
use crate::tls;
use silly_runtime::config::ConfigError;
use silly_runtime::config_setters as setters;

/// Client settings. Each default is documented on its field. Start from
/// `ClientConfig::default()` and change fields with the setters of the same
/// name:
///
/// ```
/// use silly_net::http::ClientConfig;
/// use silly_net::tls;
/// use std::time::Duration;
/// let config = ClientConfig::default()
///     .connect_timeout(Some(Duration::from_secs(2)))
///     .request_timeout(Some(Duration::from_secs(20)))
///     .max_redirects(5)
///     .tls(tls::ClientConfig::default().alpn(vec!["http/1.1".into()]));
/// assert_eq!(config.max_redirects, 5);
/// assert_eq!(config.max_idle_per_host, 8, "the default");
/// ```
///
/// Time limits: each step has its own timeout (`connect_timeout` for connect
/// and handshake, `read_timeout` for sending the request and for each read of
/// the response), and `request_timeout` bounds a whole request. The first to
/// pass ends the request with [`Error::Timeout`](crate::http::Error::Timeout), which names the [`Phase`](crate::http::Phase).
/// Each timeout is `None` to turn it off; a huge one (`Duration::MAX`) is as
/// good as none. `Some(Duration::ZERO)` is refused by [`check`](Self::check).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Longest wait for TCP connect plus TLS handshake. Default 10 s (the
    /// handshake also within the TLS config's own handshake timeout).
    pub connect_timeout: Option<Duration>,
    /// Longest wait for the server to take the request (head and body
    /// together), and for each read of the response. Default 30 s.
    pub read_timeout: Option<Duration>,
    /// Longest time for a whole request: connect, send, response head and
    /// body (read with [`Client::request`](crate::http::Client::request), or from the [`ResponseReader`](crate::http::ResponseReader)),
    /// redirects included. Default `None`: only the step timeouts apply.
    /// [`RequestBuilder::timeout`](crate::http::RequestBuilder::timeout) sets it per request. Name resolution cannot
    /// be cut short: the deadline is checked once it returns.
    pub request_timeout: Option<Duration>,
    /// Idle connections kept per host (scheme, host, port). Default 8.
    pub max_idle_per_host: usize,
    /// An idle connection older than this is not reused. Default 60 s; `None`:
    /// however old.
    pub idle_timeout: Option<Duration>,
    /// Redirects followed (301, 302, 303, 307, 308). Default 0: a redirect is
    /// returned as it is. A redirect to another origin (scheme, host or port)
    /// goes without the caller's `Authorization`, `Cookie`,
    /// `Proxy-Authorization` and `Host` headers, for this hop and the ones
    /// after it; a redirect that turns the request into a GET drops its body
    /// and `Content-*` and `Transfer-Encoding` headers.
    pub max_redirects: usize,
    /// Whether a redirect from `https://` to `http://` is followed. Default
    /// false: it ends the request with [`Error::InsecureRedirect`](crate::http::Error::InsecureRedirect), as what
    /// was asked over TLS would then travel in clear (curl's
    /// CVE-2018-1000007; reqwest and browsers refuse it too).
    pub redirect_https_to_http: bool,
    /// Largest response head. Default 64 KiB.
    pub max_response_head_bytes: usize,
    /// Largest response body read by [`Client::request`](crate::http::Client::request). Default 64 MiB.
    pub max_response_body_bytes: usize,
    /// TLS settings for `https://` (default: webpki roots, verification on).
    pub tls: tls::ClientConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(30)),
            request_timeout: None,
            max_idle_per_host: 8,
            idle_timeout: Some(Duration::from_secs(60)),
            max_redirects: 0,
            redirect_https_to_http: false,
            max_response_head_bytes: 64 * 1024,
            max_response_body_bytes: 64 * 1024 * 1024,
            tls: tls::ClientConfig::default(),
        }
    }
}

setters!(ClientConfig {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    max_idle_per_host: usize,
    idle_timeout: Option<Duration>,
    max_redirects: usize,
    redirect_https_to_http: bool,
    max_response_head_bytes: usize,
    max_response_body_bytes: usize,
    tls: tls::ClientConfig,
});

impl ClientConfig {
    /// Checks the settings: no timeout may be `Some(Duration::ZERO)` (`None`
    /// turns one off), and `max_response_head_bytes` must be at least 1.
    /// [`Client::new`](crate::http::Client::new) runs it.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of its range.
    pub fn check(&self) -> std::result::Result<(), ConfigError> {
        check_timeouts(
            "ClientConfig",
            [
                ("connect_timeout", self.connect_timeout),
                ("read_timeout", self.read_timeout),
                ("request_timeout", self.request_timeout),
                ("idle_timeout", self.idle_timeout),
            ],
        )?;
        if self.max_response_head_bytes == 0 {
            return Err(ConfigError::new(
                "ClientConfig",
                "max_response_head_bytes",
                "must be at least 1",
            ));
        }
        self.tls.check()
    }
}
