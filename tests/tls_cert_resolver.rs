//! A certificate resolver of the user's (what an ACME crate provides) in a
//! config made from a rustls config: it is asked at each handshake, with the
//! client's SNI name, and the certificate it returns is the one served.

mod util;

use std::sync::{Arc, Mutex};

use silly::net::tls::{self, rustls, ClientConfig, ServerConfig};
use util::pki::{Ca, Leaf};

/// Serves one certificate and records the names it was asked for.
#[derive(Debug)]
struct Recording {
    key: Arc<rustls::sign::CertifiedKey>,
    asked: Mutex<Vec<Option<String>>>,
}

impl rustls::server::ResolvesServerCert for Recording {
    fn resolve(
        &self,
        hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let name = hello.server_name().map(str::to_owned);
        self.asked.lock().unwrap().push(name);
        Some(self.key.clone())
    }
}

fn certified(leaf: &Leaf) -> Arc<rustls::sign::CertifiedKey> {
    let key =
        rustls::sign::CertifiedKey::from_der(leaf.chain(), leaf.key(), &tls::crypto_provider())
            .unwrap();
    Arc::new(key)
}

#[test]
fn the_resolver_chooses_the_certificate() {
    let ca = Ca::new("resolver CA");
    let leaf = ca.leaf(&["app.example", "localhost"]);
    let served = leaf.cert_der.to_vec();
    let resolver = Arc::new(Recording {
        key: certified(&leaf),
        asked: Mutex::new(Vec::new()),
    });
    let rustls_config = rustls::ServerConfig::builder_with_provider(tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
    let config = ServerConfig::from_rustls(Arc::new(rustls_config));
    let client = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", config, |stream| {
            let _ = stream.write_all(b"x");
        })
        .unwrap();
        for name in ["app.example", "localhost"] {
            let stream = tls::connect(server.local_addr(), name, &client).unwrap();
            stream.read_exact(&mut [0u8; 1]).unwrap();
            assert_eq!(stream.peer_certificates().unwrap()[0].to_vec(), served);
        }
        server.close();
    });
    assert_eq!(
        *resolver.asked.lock().unwrap(),
        [Some("app.example".to_owned()), Some("localhost".to_owned())]
    );
}
