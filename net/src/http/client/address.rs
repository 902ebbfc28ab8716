//! A request's URL: parsed, checked, and the origin it connects to.

use url::Url;

use crate::http::error::{Error, Result, UrlError};

/// Where a request connects, and the key of its idle connections in the pool:
/// scheme, host, port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PoolKey {
    pub(super) https: bool,
    pub(super) host: String,
    pub(super) port: u16,
}

impl PoolKey {
    /// The key of `url`, or [`Error::InvalidUrl`] for a scheme other than
    /// http and https, or no host.
    pub(super) fn of(url: &Url) -> Result<PoolKey> {
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                let error = UrlError::UnsupportedScheme(other.to_owned());
                return Err(invalid_url(url.as_str(), error));
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| invalid_url(url.as_str(), UrlError::NoHost))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        // Both schemes have a default port.
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        Ok(PoolKey { https, host, port })
    }

    /// `host:port` to connect to (`[host]:port` for IPv6).
    pub(super) fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// `url` parsed, or [`Error::InvalidUrl`] with the parser's error.
pub(super) fn parse_url(url: &str) -> Result<Url> {
    Url::parse(url).map_err(|error| invalid_url(url, UrlError::Parse(error)))
}

fn invalid_url(url: impl Into<String>, error: UrlError) -> Error {
    Error::InvalidUrl {
        url: url.into(),
        error,
    }
}
