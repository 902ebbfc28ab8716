//! Configs made from rustls configs: which of our fields still apply (ALPN
//! over theirs, the handshake timeout), what `check` still refuses, and the
//! loaders that no longer make sense failing with a config error.

mod util;

use std::sync::Arc;

use silly::net::tls::{self, rustls, ClientConfig, ServerConfig};
use util::pki::Ca;

fn rustls_server(ca: &Ca, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let leaf = ca.leaf(&["localhost"]);
    let mut config = rustls::ServerConfig::builder_with_provider(tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(leaf.chain(), leaf.key())
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// The protocol a client offering `offer` agrees on with a server of `config`.
fn negotiated(config: ServerConfig, ca: &Ca, offer: &[&[u8]]) -> Option<Vec<u8>> {
    let client = ClientConfig::with_ca_pem(ca.pem().as_bytes())
        .unwrap()
        .alpn(offer.iter().map(|p| p.to_vec()).collect());
    let server = tls::listen("127.0.0.1:0", config, |stream| {
        let _ = stream.write_all(b"x");
    })
    .unwrap();
    let stream = tls::connect(server.local_addr(), "localhost", &client).unwrap();
    let mut x = [0u8; 1];
    stream.read_exact(&mut x).unwrap();
    server.close();
    stream.alpn_protocol()
}

#[test]
fn alpn_of_the_rustls_config_unless_ours_is_set() {
    let ca = Ca::new("alpn CA");
    let theirs = rustls_server(&ca, &[b"h2", b"http/1.1"]);
    let kept = ServerConfig::from_rustls(theirs.clone());
    assert_eq!(
        kept.alpn_protocols(),
        [b"h2".to_vec(), b"http/1.1".to_vec()]
    );
    let replaced = ServerConfig::from_rustls(theirs.clone()).alpn(vec![b"http/1.1".to_vec()]);
    assert_eq!(replaced.alpn_protocols(), [b"http/1.1".to_vec()]);
    silly::run(move || {
        let offer: &[&[u8]] = &[b"h2", b"http/1.1"];
        assert_eq!(negotiated(kept, &ca, offer).as_deref(), Some(&b"h2"[..]));
        assert_eq!(
            negotiated(replaced, &ca, offer).as_deref(),
            Some(&b"http/1.1"[..])
        );
    });
    assert_eq!(
        theirs.alpn_protocols.len(),
        2,
        "the user's config is not changed"
    );
}

#[test]
fn check_and_loaders_of_configs_from_rustls() {
    let ca = Ca::new("check CA");
    let leaf = ca.leaf(&["localhost"]);

    let server = ServerConfig::from_rustls(rustls_server(&ca, &[]));
    server
        .check()
        .expect("no PEM certificate needed: the resolver has it");
    let err = server
        .clone()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap_err();
    assert!(
        matches!(&err, tls::TlsError::Config(e) if e.field() == "cert"),
        "{err}"
    );
    // An empty ALPN name in the rustls config is refused as ours would be.
    let bad = ServerConfig::from_rustls(rustls_server(&ca, &[b""]));
    assert_eq!(bad.check().unwrap_err().field(), "alpn");
    assert!(
        bad.alpn(vec![b"h2".to_vec()]).check().is_ok(),
        "ours replace theirs"
    );
    let zero = server.handshake_timeout(Some(std::time::Duration::ZERO));
    assert_eq!(zero.check().unwrap_err().field(), "handshake_timeout");

    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der()).unwrap();
    let theirs = rustls::ClientConfig::builder_with_provider(tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = ClientConfig::from_rustls(Arc::new(theirs));
    client.check().unwrap();
    let dangerous = client.clone().dangerous_accept_invalid_certs(true);
    assert_eq!(
        dangerous.check().unwrap_err().field(),
        "dangerous_accept_invalid_certs"
    );
    let err = client.clone().ca_pem(ca.pem().as_bytes()).unwrap_err();
    assert!(
        matches!(&err, tls::TlsError::Config(e) if e.field() == "ca_pem"),
        "{err}"
    );
    let err = client
        .client_cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap_err();
    assert!(
        matches!(&err, tls::TlsError::Config(e) if e.field() == "client_cert"),
        "{err}"
    );
    // And an entry point runs check: the dangerous config does not connect.
    silly::run(move || {
        let err = tls::connect("127.0.0.1:9", "localhost", &dangerous).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    });
}
