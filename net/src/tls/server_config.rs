//! The server side's TLS settings.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use silly_runtime::config::ConfigError;

use super::built::Built;
use super::error::TlsError;
use super::keys::{certified_key, provider};
use super::settings::{check_common, DEFAULT_HANDSHAKE_TIMEOUT};

/// Server side: certificates (one default, more chosen by SNI), ALPN
/// protocols, handshake timeout. Cheap to clone.
///
/// It follows the config convention of silly-rs (see
/// [`silly_runtime::config`]) for its plain values: public fields, each with
/// a `#[must_use]` setter of the same name, checked by
/// [`check`](Self::check), which every entry point taking the config runs
/// first ([`tls::listen`](super::listen), [`TlsListener::bind`](super::TlsListener::bind),
/// [`TlsStream::server`](super::TlsStream::server), [`Server::reload_tls`](super::Server::reload_tls)).
/// Certificates are not plain values: they are parsed from PEM, and parsing
/// fails, so they are loaded by the methods that parse them
/// ([`from_pem`](Self::from_pem), [`cert`](Self::cert), [`sni_cert`](Self::sni_cert)),
/// which return the parser's error at once, where the PEM was given, and
/// keep the parsed keys private (a public field of PEM text would be parsed
/// again at each use and fail late, far from the file it came from).
///
/// ```no_run
/// # fn main() -> Result<(), silly_net::tls::TlsError> {
/// # let (cert, key, other_cert, other_key) = (b"", b"", b"", b"");
/// use silly_net::tls::ServerConfig;
/// use std::time::Duration;
///
/// let simple = ServerConfig::from_pem(cert, key)?;
/// let virtual_hosts = ServerConfig::default()
///     .cert(cert, key)?                       // when SNI names no other
///     .sni_cert("api.example.com", other_cert, other_key)?
///     .alpn(vec!["http/1.1".into()])
///     .handshake_timeout(Some(Duration::from_secs(5)));
/// virtual_hosts.check().expect("a certificate, a positive timeout");
/// # Ok(()) }
/// ```
///
/// # Defaults
///
/// `ServerConfig::default()` has no certificate, so [`check`](Self::check)
/// refuses it until one is loaded; the other defaults are on the fields.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Longest a handshake may take; default `Some(`[`DEFAULT_HANDSHAKE_TIMEOUT`]`)`
    /// (10 s). `None`, or a timeout too long for the clock: no limit. Zero is
    /// refused by [`check`](Self::check).
    pub handshake_timeout: Option<Duration>,
    /// Protocols offered for ALPN, most preferred first, such as
    /// `vec!["h2".into(), "http/1.1".into()]`; default none (no ALPN). Each
    /// name is 1 to 255 bytes.
    pub alpn: Vec<Vec<u8>>,
    /// The certificates, by SNI name.
    certs: Arc<SniResolver>,
    /// rustls configs built from `certs` and the fields above.
    built: Built<Vec<Vec<u8>>, rustls::ServerConfig>,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("handshake_timeout", &self.handshake_timeout)
            .field("alpn", &self.alpn)
            .field("default_cert", &self.certs.default.is_some())
            .field("sni_names", &self.certs.by_name.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            alpn: Vec::new(),
            certs: Arc::default(),
            built: Built::default(),
        }
    }
}

silly_runtime::config_setters!(ServerConfig {
    handshake_timeout: Option<Duration>,
    alpn: Vec<Vec<u8>>,
});

impl ServerConfig {
    /// One certificate chain and its private key, both PEM; the other
    /// settings at their defaults. Short for `ServerConfig::default().cert(..)`.
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no certificate or key, or the key does not
    /// match the certificate.
    pub fn from_pem(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<ServerConfig, TlsError> {
        ServerConfig::default().cert(cert_chain_pem, key_pem)
    }

    /// Loads the certificate sent when the client names no host (no SNI) or a
    /// host no [`sni_cert`](Self::sni_cert) matches (replacing an earlier one).
    ///
    /// # Errors
    ///
    /// As [`ServerConfig::from_pem`].
    pub fn cert(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        let key = certified_key(cert_chain_pem, key_pem)?;
        self.certs_mut().default = Some(key);
        Ok(self)
    }

    /// Loads the certificate sent to clients that ask for `host_name` by SNI
    /// (compared without regard to case).
    ///
    /// # Errors
    ///
    /// As [`ServerConfig::from_pem`].
    pub fn sni_cert(
        mut self,
        host_name: &str,
        cert_chain_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Self, TlsError> {
        let key = certified_key(cert_chain_pem, key_pem)?;
        self.certs_mut()
            .by_name
            .insert(host_name.to_ascii_lowercase(), key);
        Ok(self)
    }

    /// The certificates to change, apart from those of earlier clones, whose
    /// built rustls configs stay theirs.
    fn certs_mut(&mut self) -> &mut SniResolver {
        self.built = Built::default();
        Arc::make_mut(&mut self.certs)
    }

    /// Whether the config can serve: a certificate loaded, a handshake
    /// timeout above zero (or none), ALPN names of 1 to 255 bytes.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field: `cert` when no certificate was
    /// loaded, `handshake_timeout`, `alpn`.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.certs.default.is_none() && self.certs.by_name.is_empty() {
            return Err(ConfigError::new(
                "ServerConfig",
                "cert",
                "no certificate: load one with from_pem, cert or sni_cert",
            ));
        }
        check_common("ServerConfig", self.handshake_timeout, &self.alpn)
    }

    /// [`check`](Self::check)s the config and gives the rustls config for it,
    /// built on first use and shared with the clones.
    pub(crate) fn rustls(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        self.check()?;
        let alpn = &self.alpn;
        self.built.get_or_build(
            |k| k == alpn,
            || alpn.clone(),
            || {
                let mut config = rustls::ServerConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()?
                    .with_no_client_auth()
                    .with_cert_resolver(self.certs.clone());
                config.alpn_protocols = self.alpn.clone();
                Ok(config)
            },
        )
    }
}

/// Picks the certificate by the SNI name, else the default one.
#[derive(Debug, Clone, Default)]
struct SniResolver {
    default: Option<Arc<CertifiedKey>>,
    by_name: HashMap<String, Arc<CertifiedKey>>,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        hello
            .server_name()
            .and_then(|name| self.by_name.get(&name.to_ascii_lowercase()))
            .or(self.default.as_ref())
            .cloned()
    }
}
