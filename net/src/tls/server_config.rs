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
use super::keys::{certified_key, crypto_provider};
use super::settings::{check_common, DEFAULT_HANDSHAKE_TIMEOUT};

/// Server side: certificates (one default, more chosen by SNI), ALPN
/// protocols, handshake timeout. Cheap to clone.
///
/// What PEM files and SNI names cannot say (client certificates for mutual
/// TLS, a certificate resolver from an ACME crate, rustls settings of your
/// own) is said by a `rustls::ServerConfig` you build:
/// [`from_rustls`](Self::from_rustls) wraps one.
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
/// refuses it until one is loaded (or use [`from_rustls`](Self::from_rustls));
/// the other defaults are on the fields.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Longest a handshake may take; default `Some(`[`DEFAULT_HANDSHAKE_TIMEOUT`]`)`
    /// (10 s). `None`, or a timeout too long for the clock: no limit. Zero is
    /// refused by [`check`](Self::check).
    pub handshake_timeout: Option<Duration>,
    /// Protocols offered for ALPN, most preferred first, such as
    /// `vec!["h2".into(), "http/1.1".into()]`; default none (no ALPN). Each
    /// name is 1 to 255 bytes. In a config made by
    /// [`from_rustls`](Self::from_rustls), a list here replaces the rustls
    /// config's `alpn_protocols`, and an empty one leaves them: see
    /// [`alpn_protocols`](Self::alpn_protocols).
    pub alpn: Vec<Vec<u8>>,
    /// Where the certificates come from.
    source: Source,
    /// rustls configs built from `source` and the fields above.
    built: Built<Vec<Vec<u8>>, rustls::ServerConfig>,
}

/// Where a server config's certificates, and the rustls settings that are
/// not fields, come from.
#[derive(Clone)]
enum Source {
    /// Loaded from PEM, chosen by SNI; the rest rustls's safe defaults.
    Pem(Arc<SniResolver>),
    /// A rustls config of the user's: its resolver, verifier and settings.
    Rustls(Arc<rustls::ServerConfig>),
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ServerConfig");
        f.field("handshake_timeout", &self.handshake_timeout)
            .field("alpn", &self.alpn);
        match &self.source {
            Source::Pem(certs) => f
                .field("default_cert", &certs.default.is_some())
                .field("sni_names", &certs.by_name.keys().collect::<Vec<_>>()),
            Source::Rustls(config) => f.field("rustls", config),
        };
        f.finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            alpn: Vec::new(),
            source: Source::Pem(Arc::default()),
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

    /// Serves with a rustls config of your own: its certificate resolver
    /// (an ACME crate's `ResolvesServerCert`, say), its client certificate
    /// verifier (mutual TLS: the handler reads the client's chain with
    /// [`TlsStream::peer_certificates`](super::TlsStream::peer_certificates)),
    /// its protocol versions, session storage and other settings, as they
    /// are. Of this config's own fields:
    ///
    /// * `handshake_timeout` still bounds each handshake (default 10 s);
    /// * `alpn`, left empty, offers the rustls config's `alpn_protocols`;
    ///   set, it replaces them (on a copy: `config` is not changed), so a
    ///   server that speaks given protocols (HTTP/1.1, later HTTP/2) can set
    ///   them over any rustls config, and read the list in effect with
    ///   [`alpn_protocols`](Self::alpn_protocols);
    /// * certificates cannot be loaded into it: [`cert`](Self::cert) and
    ///   [`sni_cert`](Self::sni_cert) fail, as the rustls config's resolver
    ///   chooses them. [`check`](Self::check) cannot see whether it has any:
    ///   a resolver without one fails each handshake.
    ///
    /// Build it on the provider of [`crypto_provider`](super::crypto_provider)
    /// (or any other), with the rustls that [`tls::rustls`](super::rustls)
    /// re-exports, so the versions match:
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let ca = rcgen::CertifiedIssuer::self_signed(
    /// #     rcgen::CertificateParams::new(Vec::<String>::new())?, rcgen::KeyPair::generate()?)?;
    /// # let leaf_key = rcgen::KeyPair::generate()?;
    /// # let leaf = rcgen::CertificateParams::new(vec!["localhost".into()])?.signed_by(&leaf_key, &ca)?;
    /// # let (ca_der, chain, key) = (ca.der().clone(), vec![leaf.der().clone()],
    /// #     rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()));
    /// use silly_net::tls::{self, rustls, ServerConfig};
    /// use std::sync::Arc;
    ///
    /// // Mutual TLS: only clients with a certificate from this CA get in.
    /// let mut client_cas = rustls::RootCertStore::empty();
    /// client_cas.add(ca_der)?;
    /// let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
    ///     Arc::new(client_cas),
    ///     tls::crypto_provider(),
    /// )
    /// .build()?;
    /// let rustls_config = rustls::ServerConfig::builder_with_provider(tls::crypto_provider())
    ///     .with_safe_default_protocol_versions()?
    ///     .with_client_cert_verifier(verifier)
    ///     .with_single_cert(chain, key)?;
    /// let config = ServerConfig::from_rustls(Arc::new(rustls_config))
    ///     .alpn(vec![b"http/1.1".to_vec()]);
    /// config.check()?;
    /// assert_eq!(config.alpn_protocols(), [b"http/1.1".to_vec()]);
    /// # Ok(()) }
    /// ```
    pub fn from_rustls(config: Arc<rustls::ServerConfig>) -> ServerConfig {
        ServerConfig {
            source: Source::Rustls(config),
            ..ServerConfig::default()
        }
    }

    /// The ALPN protocols offered: [`alpn`](Self::alpn) if set, else those
    /// of the rustls config given to [`from_rustls`](Self::from_rustls)
    /// (none for a config of PEM certificates).
    pub fn alpn_protocols(&self) -> &[Vec<u8>] {
        match &self.source {
            Source::Rustls(config) if self.alpn.is_empty() => &config.alpn_protocols,
            _ => &self.alpn,
        }
    }

    /// Loads the certificate sent when the client names no host (no SNI) or a
    /// host no [`sni_cert`](Self::sni_cert) matches (replacing an earlier one).
    ///
    /// # Errors
    ///
    /// As [`ServerConfig::from_pem`]; [`TlsError::Config`] for a config made
    /// by [`from_rustls`](Self::from_rustls), whose resolver chooses the
    /// certificates.
    pub fn cert(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        let key = certified_key(cert_chain_pem, key_pem)?;
        self.certs_mut()?.default = Some(key);
        Ok(self)
    }

    /// Loads the certificate sent to clients that ask for `host_name` by SNI
    /// (compared without regard to case).
    ///
    /// # Errors
    ///
    /// As [`cert`](Self::cert).
    pub fn sni_cert(
        mut self,
        host_name: &str,
        cert_chain_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Self, TlsError> {
        let key = certified_key(cert_chain_pem, key_pem)?;
        self.certs_mut()?
            .by_name
            .insert(host_name.to_ascii_lowercase(), key);
        Ok(self)
    }

    /// The certificates to change, apart from those of earlier clones, whose
    /// built rustls configs stay theirs.
    fn certs_mut(&mut self) -> Result<&mut SniResolver, TlsError> {
        match &mut self.source {
            Source::Pem(certs) => {
                self.built = Built::default();
                Ok(Arc::make_mut(certs))
            }
            Source::Rustls(_) => Err(TlsError::Config(ConfigError::new(
                "ServerConfig",
                "cert",
                "made by from_rustls: the rustls config's resolver chooses the certificates",
            ))),
        }
    }

    /// Whether the config can serve: a certificate loaded (for a config
    /// made by [`from_rustls`](Self::from_rustls), its resolver answers for
    /// them), a handshake timeout above zero (or none), ALPN names of 1 to
    /// 255 bytes (those of [`alpn_protocols`](Self::alpn_protocols), the
    /// rustls config's included).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field: `cert` when no certificate was
    /// loaded, `handshake_timeout`, `alpn`.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Source::Pem(certs) = &self.source {
            if certs.default.is_none() && certs.by_name.is_empty() {
                return Err(ConfigError::new(
                    "ServerConfig",
                    "cert",
                    "no certificate: load one with from_pem, cert or sni_cert, or use from_rustls",
                ));
            }
        }
        check_common(
            "ServerConfig",
            self.handshake_timeout,
            self.alpn_protocols(),
        )
    }

    /// [`check`](Self::check)s the config and gives the rustls config for it,
    /// built on first use and shared with the clones.
    pub(crate) fn rustls(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        self.check()?;
        let alpn = &self.alpn;
        if let Source::Rustls(config) = &self.source {
            if alpn.is_empty() {
                return Ok(config.clone());
            }
        }
        self.built.get_or_build(
            |k| k == alpn,
            || alpn.clone(),
            || {
                let mut config = match &self.source {
                    Source::Pem(certs) => {
                        rustls::ServerConfig::builder_with_provider(crypto_provider())
                            .with_safe_default_protocol_versions()?
                            .with_no_client_auth()
                            .with_cert_resolver(certs.clone())
                    }
                    // A copy shares the original's resolver, verifier and
                    // session storage (each behind an Arc).
                    Source::Rustls(config) => (**config).clone(),
                };
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
