//! TLS settings for servers and clients.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::verify::AcceptAnyCertificate;
use super::TlsError;

/// Default limit on how long a handshake may take: 10 seconds. A peer that has
/// not finished by then (a slow or stalled client) gets its connection closed.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

fn parse_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TlsError::Pem)?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(chain)
}

fn parse_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::NoPrivateKey,
        e => TlsError::Pem(e),
    })
}

fn certified_key(chain_pem: &[u8], key_pem: &[u8]) -> Result<Arc<CertifiedKey>, TlsError> {
    let key = CertifiedKey::from_der(parse_chain(chain_pem)?, parse_key(key_pem)?, &provider())?;
    Ok(Arc::new(key))
}

/// Server side: certificates (one default, more chosen by SNI), ALPN protocols,
/// handshake timeout. Cheap to clone.
///
/// ```no_run
/// # fn main() -> Result<(), silly_net::tls::TlsError> {
/// # let (cert, key, other_cert, other_key) = (b"", b"", b"", b"");
/// use silly_net::tls::ServerConfig;
/// let simple = ServerConfig::from_pem(cert, key)?;
/// let virtual_hosts = ServerConfig::builder()
///     .cert(cert, key)?                       // when SNI names no other
///     .sni_cert("api.example.com", other_cert, other_key)?
///     .alpn(["http/1.1"])
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ServerConfig {
    pub(crate) rustls: Arc<rustls::ServerConfig>,
    pub(crate) handshake_timeout: Option<Duration>,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("alpn", &self.rustls.alpn_protocols)
            .field("handshake_timeout", &self.handshake_timeout)
            .finish()
    }
}

impl ServerConfig {
    /// One certificate chain and its private key, both PEM. No ALPN, the default
    /// handshake timeout.
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no certificate or key, or the key does not
    /// match the certificate.
    pub fn from_pem(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<ServerConfig, TlsError> {
        ServerConfig::builder()
            .cert(cert_chain_pem, key_pem)?
            .build()
    }

    /// A builder for several certificates, ALPN and timeouts.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            default: None,
            by_name: HashMap::new(),
            alpn: Vec::new(),
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
        }
    }

    /// The handshake timeout (`None`: none).
    pub fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
    }
}

/// Builds a [`ServerConfig`].
pub struct ServerConfigBuilder {
    default: Option<Arc<CertifiedKey>>,
    by_name: HashMap<String, Arc<CertifiedKey>>,
    alpn: Vec<Vec<u8>>,
    handshake_timeout: Option<Duration>,
}

impl fmt::Debug for ServerConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfigBuilder")
            .field("names", &self.by_name.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ServerConfigBuilder {
    /// The certificate sent when the client names no host (no SNI) or a host no
    /// [`sni_cert`](Self::sni_cert) matches.
    ///
    /// # Errors
    ///
    /// As [`ServerConfig::from_pem`].
    pub fn cert(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        self.default = Some(certified_key(cert_chain_pem, key_pem)?);
        Ok(self)
    }

    /// The certificate sent to clients that ask for `host_name` by SNI
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
        self.by_name.insert(host_name.to_ascii_lowercase(), key);
        Ok(self)
    }

    /// Protocols offered for ALPN, most preferred first (e.g. `["http/1.1"]`).
    pub fn alpn<P: AsRef<[u8]>>(mut self, protocols: impl IntoIterator<Item = P>) -> Self {
        self.alpn = protocols.into_iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Longest a handshake may take (default [`DEFAULT_HANDSHAKE_TIMEOUT`];
    /// `None`, or a timeout too long for the clock: no limit).
    pub fn handshake_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// The config.
    ///
    /// # Errors
    ///
    /// [`TlsError::NoServerCertificate`] if no certificate was given.
    pub fn build(self) -> Result<ServerConfig, TlsError> {
        if self.default.is_none() && self.by_name.is_empty() {
            return Err(TlsError::NoServerCertificate);
        }
        let resolver = SniResolver {
            default: self.default,
            by_name: self.by_name,
        };
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(resolver));
        config.alpn_protocols = self.alpn;
        Ok(ServerConfig {
            rustls: Arc::new(config),
            handshake_timeout: self.handshake_timeout,
        })
    }
}

/// Picks the certificate by the SNI name, else the default one.
#[derive(Debug)]
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

/// Client side: which certificates to trust, ALPN, handshake timeout.
///
/// [`ClientConfig::default`] trusts the webpki roots (Mozilla's list, built in;
/// nothing is read from the system) and verifies the server's name.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) rustls: Arc<rustls::ClientConfig>,
    pub(crate) handshake_timeout: Option<Duration>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("alpn", &self.rustls.alpn_protocols)
            .field("handshake_timeout", &self.handshake_timeout)
            .finish()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        static DEFAULT: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
        let rustls = DEFAULT
            .get_or_init(|| {
                ClientConfig::builder()
                    .build_rustls()
                    .expect("the default client config is valid")
            })
            .clone();
        ClientConfig {
            rustls,
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
        }
    }
}

impl ClientConfig {
    /// A builder: roots, ALPN, timeout, and the dangerous opt-out.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            roots: None,
            alpn: Vec::new(),
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            accept_invalid_certs: false,
        }
    }

    /// Trusts only the CA certificates in `ca_pem` (for a private CA, or tests).
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no usable certificate.
    pub fn with_ca_pem(ca_pem: &[u8]) -> Result<ClientConfig, TlsError> {
        ClientConfig::builder().ca_pem(ca_pem)?.build()
    }

    /// The handshake timeout (`None`: none).
    pub fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
    }
}

/// Builds a [`ClientConfig`].
pub struct ClientConfigBuilder {
    roots: Option<RootCertStore>,
    alpn: Vec<Vec<u8>>,
    handshake_timeout: Option<Duration>,
    accept_invalid_certs: bool,
}

impl fmt::Debug for ClientConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigBuilder")
            .field("custom_roots", &self.roots.is_some())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish_non_exhaustive()
    }
}

impl ClientConfigBuilder {
    /// Trusts the CA certificates in `ca_pem` instead of the webpki roots (call it
    /// again to add more).
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no certificate or one rustls cannot use.
    pub fn ca_pem(mut self, ca_pem: &[u8]) -> Result<Self, TlsError> {
        let roots = self.roots.get_or_insert_with(RootCertStore::empty);
        for cert in parse_chain(ca_pem)? {
            roots.add(cert)?;
        }
        Ok(self)
    }

    /// Protocols offered for ALPN, most preferred first.
    pub fn alpn<P: AsRef<[u8]>>(mut self, protocols: impl IntoIterator<Item = P>) -> Self {
        self.alpn = protocols.into_iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Longest a handshake may take (default [`DEFAULT_HANDSHAKE_TIMEOUT`];
    /// `None`, or a timeout too long for the clock: no limit).
    pub fn handshake_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// **Turns off certificate verification**: any certificate, for any name, from
    /// any issuer, is accepted. The connection is then open to interception.
    /// Only for tests against throw-away certificates.
    pub fn dangerous_accept_invalid_certs(mut self) -> Self {
        self.accept_invalid_certs = true;
        self
    }

    fn build_rustls(self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?;
        let mut config = if self.accept_invalid_certs {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
                .with_no_client_auth()
        } else {
            let roots = self
                .roots
                .unwrap_or_else(|| webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect());
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        config.alpn_protocols = self.alpn;
        Ok(Arc::new(config))
    }

    /// The config.
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if rustls refuses the settings.
    pub fn build(self) -> Result<ClientConfig, TlsError> {
        let handshake_timeout = self.handshake_timeout;
        Ok(ClientConfig {
            rustls: self.build_rustls()?,
            handshake_timeout,
        })
    }
}
