//! The client side's TLS settings.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::RootCertStore;
use silly_runtime::config::ConfigError;

use super::built::Built;
use super::error::TlsError;
use super::keys::{parse_chain, provider};
use super::settings::{check_common, DEFAULT_HANDSHAKE_TIMEOUT};
use super::verify::AcceptAnyCertificate;

/// What a rustls client config is built under, besides the roots.
type Key = (Vec<Vec<u8>>, bool);

/// Client side: which certificates to trust, ALPN, handshake timeout.
/// Cheap to clone.
///
/// [`ClientConfig::default`] trusts the webpki roots (Mozilla's list, built in;
/// nothing is read from the system) and verifies the server's name. As
/// [`ServerConfig`](super::ServerConfig), it follows the config convention
/// of silly-rs for its plain values (public fields, `#[must_use]` setters,
/// [`check`](Self::check) run by [`tls::connect`](super::connect) and
/// [`TlsStream::client`](super::TlsStream::client)), and loads CA
/// certificates with a method that parses them and fails there
/// ([`ca_pem`](Self::ca_pem)).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use silly_net::tls::ClientConfig;
/// use std::time::Duration;
///
/// let public_web = ClientConfig::default().alpn(vec!["http/1.1".into()]);
/// let private_ca = ClientConfig::with_ca_pem(&std::fs::read("ca.pem")?)?
///     .handshake_timeout(Some(Duration::from_secs(3)));
/// # let _ = (public_web, private_ca);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Longest the TCP connect and the handshake of [`tls::connect`](super::connect)
    /// may take together (the handshake alone for [`TlsStream::client`](super::TlsStream::client));
    /// default `Some(`[`DEFAULT_HANDSHAKE_TIMEOUT`]`)` (10 s). `None`, or a
    /// timeout too long for the clock: no limit. Zero is refused by
    /// [`check`](Self::check).
    pub handshake_timeout: Option<Duration>,
    /// Protocols offered for ALPN, most preferred first; default none (no
    /// ALPN). Each name is 1 to 255 bytes.
    pub alpn: Vec<Vec<u8>>,
    /// **Turns off certificate verification** when true: any certificate, for
    /// any name, from any issuer, is accepted (the server must still own the
    /// key of the certificate it sends). The connection is then open to
    /// interception. Only for tests against throw-away certificates. Default
    /// false.
    pub dangerous_accept_invalid_certs: bool,
    /// The CA certificates trusted instead of the webpki roots, if any.
    roots: Option<Arc<RootCertStore>>,
    /// rustls configs built from `roots` and the fields above.
    built: Built<Key, rustls::ClientConfig>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("handshake_timeout", &self.handshake_timeout)
            .field("alpn", &self.alpn)
            .field(
                "dangerous_accept_invalid_certs",
                &self.dangerous_accept_invalid_certs,
            )
            .field("custom_roots", &self.roots.as_ref().map(|r| r.len()))
            .finish()
    }
}

impl Default for ClientConfig {
    /// The webpki roots, no ALPN, the default handshake timeout. Every default
    /// config shares its rustls configs (and their session cache) with the
    /// others until a CA is loaded into it.
    fn default() -> Self {
        static WEBPKI: OnceLock<Built<Key, rustls::ClientConfig>> = OnceLock::new();
        ClientConfig {
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            alpn: Vec::new(),
            dangerous_accept_invalid_certs: false,
            roots: None,
            built: WEBPKI.get_or_init(Built::default).clone(),
        }
    }
}

silly_runtime::config_setters!(ClientConfig {
    handshake_timeout: Option<Duration>,
    alpn: Vec<Vec<u8>>,
    dangerous_accept_invalid_certs: bool,
});

impl ClientConfig {
    /// Trusts only the CA certificates in `ca_pem` (for a private CA, or
    /// tests). Short for `ClientConfig::default().ca_pem(ca_pem)`.
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no usable certificate.
    pub fn with_ca_pem(ca_pem: &[u8]) -> Result<ClientConfig, TlsError> {
        ClientConfig::default().ca_pem(ca_pem)
    }

    /// Trusts the CA certificates in `ca_pem` instead of the webpki roots
    /// (call it again to add more).
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no certificate or one rustls cannot use.
    pub fn ca_pem(mut self, ca_pem: &[u8]) -> Result<Self, TlsError> {
        let mut roots = self
            .roots
            .as_deref()
            .cloned()
            .unwrap_or_else(RootCertStore::empty);
        for cert in parse_chain(ca_pem)? {
            roots.add(cert)?;
        }
        self.roots = Some(Arc::new(roots));
        // Built from other roots: the clones made before keep theirs.
        self.built = Built::default();
        Ok(self)
    }

    /// Whether the config can connect: a handshake timeout above zero (or
    /// none), ALPN names of 1 to 255 bytes.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field: `handshake_timeout`, `alpn`.
    pub fn check(&self) -> Result<(), ConfigError> {
        check_common("ClientConfig", self.handshake_timeout, &self.alpn)
    }

    /// [`check`](Self::check)s the config and gives the rustls config for it,
    /// built on first use and shared with the clones.
    pub(crate) fn rustls(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        self.check()?;
        let key = (&self.alpn, self.dangerous_accept_invalid_certs);
        let is_key = |(alpn, any): &Key| (alpn, *any) == key;
        self.built.get_or_build(
            is_key,
            || (key.0.clone(), key.1),
            || {
                let builder = rustls::ClientConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()?;
                let mut config = if self.dangerous_accept_invalid_certs {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(
                            AcceptAnyCertificate(provider()),
                        ))
                        .with_no_client_auth()
                } else {
                    builder
                        .with_root_certificates(self.roots.clone().unwrap_or_else(webpki_roots))
                        .with_no_client_auth()
                };
                config.alpn_protocols = self.alpn.clone();
                Ok(config)
            },
        )
    }
}

/// Mozilla's roots, as webpki-roots has them, gathered once.
fn webpki_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| Arc::new(webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect()))
        .clone()
}
