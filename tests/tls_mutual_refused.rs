//! Mutual TLS refusals: a client without a certificate, or with one from
//! another CA, fails its handshake on both sides, cleanly: an error for the
//! client, no handler call, no panic, and the server's tasks and sockets
//! back to what they were.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::tls::{self, ClientConfig};
use util::pki::{mutual_tls_server, Ca};

/// Connects and tries to read: the refusal may come in the handshake or,
/// in TLS 1.3 (the client finishes its side first), as the server's alert
/// on the first read. Returns the error.
fn refused(addr: std::net::SocketAddr, client: &ClientConfig) -> std::io::Error {
    let stream = match tls::connect(addr, "localhost", client) {
        Ok(stream) => stream,
        Err(err) => return err,
    };
    stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 16];
    match stream.read(&mut buf) {
        Ok(n) => panic!("a refused client read {n} bytes"),
        Err(err) => err,
    }
}

#[test]
fn client_without_a_trusted_certificate_is_refused() {
    let ca = Ca::new("mtls CA");
    let other_ca = Ca::new("another CA");
    let server_config = mutual_tls_server(&ca, &ca);
    let stranger = other_ca.leaf_named(Some("mallory"), &["mallory.example"]);
    let trusting = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    let with_foreign_cert = trusting
        .clone()
        .client_cert(stranger.cert_pem.as_bytes(), stranger.key_pem.as_bytes())
        .unwrap();
    silly::run(move || {
        let calls = Rc::new(Cell::new(0));
        let counted = calls.clone();
        let server = tls::listen("127.0.0.1:0", server_config, move |stream| {
            counted.set(counted.get() + 1);
            let _ = stream.write_all(b"hello");
        })
        .unwrap();
        silly::task::yield_now(); // the accept loop waits
        let base = silly::stats();

        use tls::rustls::{AlertDescription, Error};
        for (client, alert) in [
            (&trusting, AlertDescription::CertificateRequired),
            (&with_foreign_cert, AlertDescription::UnknownCA),
        ] {
            let err = refused(server.local_addr(), client);
            let rustls_err = err.get_ref().and_then(|e| e.downcast_ref::<Error>());
            assert_eq!(
                rustls_err,
                Some(&Error::AlertReceived(alert)),
                "the server's alert says why: {err:?}"
            );
        }
        assert_eq!(calls.get(), 0, "no handler ran for a refused client");

        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let now = silly::stats();
            if server.connections() == 0
                && now.live_tasks == base.live_tasks
                && now.registrations == base.registrations
            {
                break;
            }
            assert!(Instant::now() < until, "left behind: {now:?} vs {base:?}");
            silly::time::sleep(Duration::from_millis(10));
        }
        server.close();
    });
}
