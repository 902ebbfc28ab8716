//! Certificates made at run time for the TLS tests: a CA and leaves it signs.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// A test CA.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A leaf certificate and its key, PEM (and DER, for rustls configs).
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: rustls::pki_types::CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl Leaf {
    /// The certificate alone as a chain, for rustls configs.
    pub fn chain(&self) -> Vec<rustls::pki_types::CertificateDer<'static>> {
        vec![self.cert_der.clone()]
    }

    /// The private key (PKCS#8), for rustls configs.
    pub fn key(&self) -> rustls::pki_types::PrivateKeyDer<'static> {
        rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.clone().into())
    }
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA certificate in DER, for a rustls `RootCertStore`.
    pub fn der(&self) -> rustls::pki_types::CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A certificate for `names` (DNS names or IP addresses), signed by this CA.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_named(None, names)
    }

    /// A certificate for `names` whose subject's common name is
    /// `common_name` (a client certificate names its holder so).
    pub fn leaf_named(&self, common_name: Option<&str>, names: &[&str]) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        if let Some(cn) = common_name {
            params.distinguished_name.push(DnType::CommonName, cn);
        }
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }
}

/// A server config for `localhost` and `127.0.0.1` that asks every client
/// for a certificate and accepts only those `client_ca` signed (mutual TLS),
/// built from a rustls config as a user would.
pub fn mutual_tls_server(server_ca: &Ca, client_ca: &Ca) -> silly::net::tls::ServerConfig {
    use silly::net::tls::{self, rustls};
    use std::sync::Arc;
    let leaf = server_ca.leaf(&["localhost", "127.0.0.1"]);
    let mut roots = rustls::RootCertStore::empty();
    roots.add(client_ca.der()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        tls::crypto_provider(),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(leaf.chain(), leaf.key())
        .unwrap();
    tls::ServerConfig::from_rustls(Arc::new(config))
}
