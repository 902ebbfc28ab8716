//! Keepalive over `wss://`: a client whose TLS server upgrades and then
//! reads nothing (so answers no ping) ends the connection once
//! `ping_timeout` passes, and its blocked `read` returns
//! `Error::PingTimeout`. Over TLS no close frame is attempted (no TLS write
//! is sure not to wait): the server sees the connection end.

mod util;

use std::time::Duration;

use silly::net::http::{self, Config};
use silly::net::tls;
use silly::net::websocket::{self, Error, FrameType};
use silly::sync;
use util::pki::Ca;

#[test]
fn a_wss_client_drops_a_server_that_answers_no_ping() {
    let ca = Ca::new("keepalive CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_tls =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let config = websocket::Config::default()
        .tls(tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap())
        .ping_interval(Some(Duration::from_millis(150)))
        .ping_timeout(Some(Duration::from_millis(250)));
    silly::run(move || {
        let (go_tx, go_rx) = sync::channel::<()>();
        let (seen_tx, seen_rx) = sync::channel();
        let server = http::listen_with(
            "127.0.0.1:0",
            Config::default().tls(Some(server_tls)),
            move |stream| {
                let sock = websocket::upgrade(stream).unwrap();
                // Deaf until told: the client's ping waits unread.
                let _ = go_rx.recv();
                let mut kinds = Vec::new();
                let end = loop {
                    match sock.read() {
                        Ok((_, kind)) => kinds.push(kind),
                        Err(e) => break e,
                    }
                };
                let _ = seen_tx.send((kinds, end.to_string()));
            },
        )
        .unwrap();
        let url = format!("wss://localhost:{}/", server.local_addr().port());
        let sock = websocket::connect_with(&url, &[], config).unwrap();
        assert!(sock.conn().is_tls());
        let err = sock.read().expect_err("the blocked read ends");
        assert!(
            matches!(err, Error::PingTimeout) && err.is_timeout(),
            "{err:?}"
        );
        assert!(sock.is_closed());

        go_tx.send(()).unwrap();
        let (kinds, end) = seen_rx.recv().unwrap();
        assert_eq!(kinds, [FrameType::Ping], "the ping, then the end: {end}");
        server.close();
    });
}
