//! Mutual TLS: a server config built from a rustls config with a client
//! certificate verifier; a client that shows a certificate from the trusted
//! CA gets in, and the handler sees that certificate.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use silly::net::tls::{self, rustls, ClientConfig};
use util::pki::{mutual_tls_server, Ca};

/// Connects with `client`, reads the server's greeting, and returns the
/// server's certificate as the client saw it.
fn greeted(addr: std::net::SocketAddr, client: &ClientConfig) -> Vec<u8> {
    let stream = tls::connect(addr, "localhost", client).unwrap();
    let mut hello = [0u8; 5];
    stream.read_exact(&mut hello).unwrap();
    assert_eq!(&hello, b"hello");
    let chain = stream.peer_certificates().expect("the server's chain");
    chain[0].to_vec()
}

#[test]
fn client_certificate_reaches_the_handler() {
    let ca = Ca::new("mtls CA");
    let server_config = mutual_tls_server(&ca, &ca);
    let alice = ca.leaf_named(Some("alice"), &["alice.example"]);
    let bob = ca.leaf_named(Some("bob"), &["bob.example"]);

    // Alice through the PEM setter, Bob through a rustls config of his own.
    let pem_client = ClientConfig::with_ca_pem(ca.pem().as_bytes())
        .unwrap()
        .client_cert(alice.cert_pem.as_bytes(), alice.key_pem.as_bytes())
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der()).unwrap();
    let bobs_rustls = rustls::ClientConfig::builder_with_provider(tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(bob.chain(), bob.key())
        .unwrap();
    let rustls_client = ClientConfig::from_rustls(Arc::new(bobs_rustls));

    silly::run(move || {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let record = seen.clone();
        let server = tls::listen("127.0.0.1:0", server_config, move |stream| {
            let chain = stream.peer_certificates().expect("a client certificate");
            record.borrow_mut().push(chain[0].to_vec());
            let _ = stream.write_all(b"hello");
        })
        .unwrap();
        let server_cert = greeted(server.local_addr(), &pem_client);
        greeted(server.local_addr(), &rustls_client);
        assert_eq!(
            *seen.borrow(),
            [alice.cert_der.to_vec(), bob.cert_der.to_vec()],
            "the handler saw each client's own certificate"
        );
        // The subject the handler can read from that DER is the one issued.
        assert!(contains(&seen.borrow()[0], b"alice"));
        assert!(contains(&seen.borrow()[1], b"bob"));
        assert_ne!(server_cert, alice.cert_der.to_vec());
        server.close();
    });
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
