//! Errors of TLS configuration.

use std::fmt;

/// Why a TLS configuration could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The PEM text holds no certificate.
    NoCertificate,
    /// The PEM text holds no private key (PKCS#8, PKCS#1 or SEC1).
    NoPrivateKey,
    /// PEM that does not parse (the parser's error is the source).
    Pem(rustls_pki_types::pem::Error),
    /// A server config without any certificate.
    NoServerCertificate,
    /// A name that is not a valid DNS name or IP address (SNI, verification).
    InvalidServerName(String),
    /// rustls refused the key, certificate or settings.
    Rustls(rustls::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::NoCertificate => f.write_str("no certificate found in the PEM input"),
            TlsError::NoPrivateKey => f.write_str("no private key found in the PEM input"),
            TlsError::Pem(e) => write!(f, "invalid PEM: {e}"),
            TlsError::NoServerCertificate => f.write_str("server config has no certificate"),
            TlsError::InvalidServerName(n) => write!(f, "invalid server name {n:?}"),
            TlsError::Rustls(e) => write!(f, "tls: {e}"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Rustls(e) => Some(e),
            TlsError::Pem(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(e: rustls::Error) -> Self {
        TlsError::Rustls(e)
    }
}

impl From<TlsError> for std::io::Error {
    fn from(e: TlsError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}
