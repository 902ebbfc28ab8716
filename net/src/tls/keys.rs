//! Certificates and keys read from PEM, and the crypto provider they are
//! used with.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::error::TlsError;

/// The crypto provider (ring) of every config silly-rs builds, made once
/// and shared. Build a `rustls` config for
/// [`ServerConfig::from_rustls`](super::ServerConfig::from_rustls) or
/// [`ClientConfig::from_rustls`](super::ClientConfig::from_rustls) on it
/// (`builder_with_provider(tls::crypto_provider())`): it does not depend on
/// a process-wide default provider being installed.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// Every certificate of `pem`, in order (a chain: the leaf first).
pub(crate) fn parse_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
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

/// A certificate chain with its private key, checked to match.
pub(crate) fn certified_key(
    chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<CertifiedKey>, TlsError> {
    let key = CertifiedKey::from_der(
        parse_chain(chain_pem)?,
        parse_key(key_pem)?,
        &crypto_provider(),
    )?;
    Ok(Arc::new(key))
}
