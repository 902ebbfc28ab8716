//! Errors of TLS configuration.

use std::fmt;

use rustls_pki_types::InvalidDnsNameError;
use silly_runtime::config::ConfigError;

/// Why a TLS configuration could not be built or used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The PEM text holds no certificate.
    NoCertificate,
    /// The PEM text holds no private key (PKCS#8, PKCS#1 or SEC1).
    NoPrivateKey,
    /// PEM that does not parse (the parser's error is the source).
    Pem(rustls_pki_types::pem::Error),
    /// A config value [`check`](super::ServerConfig::check) refused (the
    /// [`ConfigError`] is the source): a server config without any
    /// certificate, a zero handshake timeout, an empty ALPN name; or a PEM
    /// loader called on a config made by `from_rustls`, whose rustls config
    /// decides instead.
    Config(ConfigError),
    /// A name that is not a valid DNS name or IP address (SNI, verification).
    InvalidServerName {
        /// The name as given.
        name: String,
        /// Why it is not one (the source).
        source: InvalidDnsNameError,
    },
    /// rustls refused the key, certificate or settings.
    Rustls(rustls::Error),
}

impl TlsError {
    /// Always false: no TLS configuration error is a timeout (a handshake
    /// that times out is an `io::Error` of kind `TimedOut`). Every error type
    /// of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::NoCertificate => f.write_str("no certificate found in the PEM input"),
            TlsError::NoPrivateKey => f.write_str("no private key found in the PEM input"),
            TlsError::Pem(e) => write!(f, "invalid PEM: {e}"),
            TlsError::Config(e) => e.fmt(f),
            TlsError::InvalidServerName { name, .. } => write!(f, "invalid server name {name:?}"),
            TlsError::Rustls(e) => write!(f, "tls: {e}"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Rustls(e) => Some(e),
            TlsError::Pem(e) => Some(e),
            TlsError::Config(e) => Some(e),
            TlsError::InvalidServerName { source, .. } => Some(source),
            TlsError::NoCertificate | TlsError::NoPrivateKey => None,
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(e: rustls::Error) -> Self {
        TlsError::Rustls(e)
    }
}

impl From<ConfigError> for TlsError {
    fn from(e: ConfigError) -> Self {
        TlsError::Config(e)
    }
}

/// `InvalidInput`, the error its source; a config error is the source
/// itself, as every entry point of silly-rs reports one.
impl From<TlsError> for std::io::Error {
    fn from(e: TlsError) -> Self {
        match e {
            TlsError::Config(e) => e.into(),
            e => std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
        }
    }
}
