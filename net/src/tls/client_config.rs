//! The client side's TLS settings.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, SignatureScheme};
use silly_runtime::config::ConfigError;

use super::built::Built;
use super::error::TlsError;
use super::keys::{certified_key, crypto_provider, parse_chain};
use super::settings::{check_common, DEFAULT_HANDSHAKE_TIMEOUT};
use super::verify::AcceptAnyCertificate;

/// What a rustls client config is built under, besides the roots.
type Key = (Vec<Vec<u8>>, bool);

/// Client side: which certificates to trust, the client's own certificate
/// (mutual TLS), ALPN, handshake timeout. Cheap to clone.
///
/// Other rustls settings (a verifier of your own, a certificate resolver,
/// protocol versions): build a `rustls::ClientConfig` and wrap it with
/// [`from_rustls`](Self::from_rustls).
///
/// [`ClientConfig::default`] trusts the webpki roots (Mozilla's list, built in;
/// nothing is read from the system) and verifies the server's name. As
/// [`ServerConfig`](super::ServerConfig), it follows the config convention
/// of silly-rs for its plain values (public fields, `#[must_use]` setters,
/// [`check`](Self::check) run by [`tls::connect`](super::connect) and
/// [`TlsStream::client`](super::TlsStream::client)), and loads CA
/// certificates with a method that parses them and fails there
/// ([`ca_pem`](Self::ca_pem), [`client_cert`](Self::client_cert)).
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
    /// false. Refused by [`check`](Self::check) in a config made by
    /// [`from_rustls`](Self::from_rustls), whose verifier decides.
    pub dangerous_accept_invalid_certs: bool,
    /// Where the trusted roots and the client's certificate come from.
    source: Source,
    /// rustls configs built from `source` and the fields above.
    built: Built<Key, rustls::ClientConfig>,
}

/// Where a client config's trust, client certificate and the rustls
/// settings that are not fields come from.
#[derive(Clone)]
enum Source {
    /// Loaded from PEM; the rest rustls's safe defaults.
    Pem {
        /// The CA certificates trusted instead of the webpki roots, if any.
        roots: Option<Arc<RootCertStore>>,
        /// The certificate shown to a server that asks for one.
        client_cert: Option<Arc<CertifiedKey>>,
    },
    /// A rustls config of the user's: its verifier, resolver and settings.
    Rustls(Arc<rustls::ClientConfig>),
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientConfig");
        f.field("handshake_timeout", &self.handshake_timeout)
            .field("alpn", &self.alpn)
            .field(
                "dangerous_accept_invalid_certs",
                &self.dangerous_accept_invalid_certs,
            );
        match &self.source {
            Source::Pem { roots, client_cert } => f
                .field("custom_roots", &roots.as_ref().map(|r| r.len()))
                .field("client_cert", &client_cert.is_some()),
            Source::Rustls(config) => f.field("rustls", config),
        };
        f.finish()
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
            source: Source::Pem {
                roots: None,
                client_cert: None,
            },
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
    /// A [`TlsError`] if the PEM holds no certificate or one rustls cannot
    /// use; [`TlsError::Config`] for a config made by
    /// [`from_rustls`](Self::from_rustls), whose verifier decides whom to
    /// trust.
    pub fn ca_pem(mut self, ca_pem: &[u8]) -> Result<Self, TlsError> {
        let (roots, _) = self.pem_mut("ca_pem")?;
        let mut more = roots
            .as_deref()
            .cloned()
            .unwrap_or_else(RootCertStore::empty);
        for cert in parse_chain(ca_pem)? {
            more.add(cert)?;
        }
        *roots = Some(Arc::new(more));
        Ok(self)
    }

    /// Shows this certificate chain (the leaf first) to a server that asks
    /// for one (mutual TLS), proving it holds `key_pem`; replaces an earlier
    /// one. A server that asks for no certificate never sees it.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use silly_net::tls::ClientConfig;
    ///
    /// let config = ClientConfig::with_ca_pem(&std::fs::read("ca.pem")?)?
    ///     .client_cert(&std::fs::read("client.pem")?, &std::fs::read("client.key")?)?;
    /// # let _ = config;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// A [`TlsError`] if the PEM holds no certificate or key, or the key does
    /// not match the certificate; [`TlsError::Config`] for a config made by
    /// [`from_rustls`](Self::from_rustls), whose own settings say which
    /// certificate to show.
    pub fn client_cert(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        let key = certified_key(cert_chain_pem, key_pem)?;
        *self.pem_mut("client_cert")?.1 = Some(key);
        Ok(self)
    }

    /// Connects with a rustls config of your own: its certificate verifier,
    /// its client certificate or resolver (mutual TLS), its protocol
    /// versions, session storage and other settings, as they are. Of this
    /// config's own fields:
    ///
    /// * `handshake_timeout` still bounds connect and handshake (default 10 s);
    /// * `alpn`, left empty, offers the rustls config's `alpn_protocols`;
    ///   set, it replaces them (on a copy: `config` is not changed);
    /// * `dangerous_accept_invalid_certs` must stay false
    ///   ([`check`](Self::check) refuses it): the rustls config's verifier
    ///   decides, and [`ca_pem`](Self::ca_pem) and
    ///   [`client_cert`](Self::client_cert) fail for the same reason.
    ///
    /// The HTTP client and WebSocket's `connect_with` take it as their `tls`
    /// setting like any other client config.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use silly_net::tls::{self, rustls, ClientConfig};
    /// use std::sync::Arc;
    ///
    /// let mut roots = rustls::RootCertStore::empty();
    /// # let ca = rcgen::CertifiedIssuer::self_signed(
    /// #     rcgen::CertificateParams::new(Vec::<String>::new())?, rcgen::KeyPair::generate()?)?;
    /// # let ca_der = ca.der().clone();
    /// roots.add(ca_der)?;
    /// let rustls_config = rustls::ClientConfig::builder_with_provider(tls::crypto_provider())
    ///     .with_safe_default_protocol_versions()?
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth(); // or .with_client_auth_cert(chain, key)?
    /// let config = ClientConfig::from_rustls(Arc::new(rustls_config));
    /// config.check()?;
    /// # Ok(()) }
    /// ```
    pub fn from_rustls(config: Arc<rustls::ClientConfig>) -> ClientConfig {
        ClientConfig {
            source: Source::Rustls(config),
            built: Built::default(),
            ..ClientConfig::default()
        }
    }

    /// The PEM-loaded roots and client certificate, to change apart from
    /// those of earlier clones, which keep their built rustls configs; the
    /// error names `field` for a config made by `from_rustls`.
    #[allow(clippy::type_complexity)]
    fn pem_mut(
        &mut self,
        field: &'static str,
    ) -> Result<
        (
            &mut Option<Arc<RootCertStore>>,
            &mut Option<Arc<CertifiedKey>>,
        ),
        TlsError,
    > {
        match &mut self.source {
            Source::Pem { roots, client_cert } => {
                self.built = Built::default();
                Ok((roots, client_cert))
            }
            Source::Rustls(_) => Err(TlsError::Config(ConfigError::new(
                "ClientConfig",
                field,
                "made by from_rustls: set it in the rustls config",
            ))),
        }
    }

    /// The ALPN protocols offered: [`alpn`](Self::alpn) if set, else those
    /// of the rustls config given to [`from_rustls`](Self::from_rustls)
    /// (none for other configs).
    pub fn alpn_protocols(&self) -> &[Vec<u8>] {
        match &self.source {
            Source::Rustls(config) if self.alpn.is_empty() => &config.alpn_protocols,
            _ => &self.alpn,
        }
    }

    /// Whether the config can connect: a handshake timeout above zero (or
    /// none), ALPN names of 1 to 255 bytes (those of
    /// [`alpn_protocols`](Self::alpn_protocols)), and for a config made by
    /// [`from_rustls`](Self::from_rustls), verification left on.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field: `handshake_timeout`, `alpn`,
    /// `dangerous_accept_invalid_certs`.
    pub fn check(&self) -> Result<(), ConfigError> {
        if matches!(self.source, Source::Rustls(_)) && self.dangerous_accept_invalid_certs {
            return Err(ConfigError::new(
                "ClientConfig",
                "dangerous_accept_invalid_certs",
                "made by from_rustls: the rustls config's verifier decides",
            ));
        }
        check_common(
            "ClientConfig",
            self.handshake_timeout,
            self.alpn_protocols(),
        )
    }

    /// [`check`](Self::check)s the config and gives the rustls config for it,
    /// built on first use and shared with the clones.
    pub(crate) fn rustls(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        self.check()?;
        let (roots, client_cert) = match &self.source {
            Source::Rustls(config) if self.alpn.is_empty() => return Ok(config.clone()),
            Source::Rustls(config) => {
                // A copy shares the original's verifier, resolver and
                // session storage (each behind an Arc).
                let alpn = &self.alpn;
                return self.built.get_or_build(
                    |(k, _)| k == alpn,
                    || (alpn.clone(), false),
                    || {
                        let mut copy = (**config).clone();
                        copy.alpn_protocols = alpn.clone();
                        Ok(copy)
                    },
                );
            }
            Source::Pem { roots, client_cert } => (roots, client_cert),
        };
        let key = (&self.alpn, self.dangerous_accept_invalid_certs);
        let is_key = |(alpn, any): &Key| (alpn, *any) == key;
        self.built.get_or_build(
            is_key,
            || (key.0.clone(), key.1),
            || {
                let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
                    .with_safe_default_protocol_versions()?;
                let builder = if self.dangerous_accept_invalid_certs {
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(
                            crypto_provider(),
                        )))
                } else {
                    builder.with_root_certificates(roots.clone().unwrap_or_else(webpki_roots))
                };
                let mut config = match client_cert {
                    Some(key) => {
                        builder.with_client_cert_resolver(Arc::new(ClientCert(key.clone())))
                    }
                    None => builder.with_no_client_auth(),
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

/// Shows one certificate to every server that asks (what
/// [`ClientConfig::client_cert`] loaded).
#[derive(Debug)]
struct ClientCert(Arc<CertifiedKey>);

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        // Shown only if the key can sign with a scheme the server accepts:
        // otherwise the handshake goes on without it, and the server decides.
        self.0.key.choose_scheme(schemes).map(|_| self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}
