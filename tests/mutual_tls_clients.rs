//! Our HTTP client and WebSocket client show a client certificate through
//! their `tls` setting, and the HTTPS handler sees it: before an upgrade on
//! the `http::Stream`, after it on the WebSocket's connection.

mod util;

use silly::net::http::{self, Client, ClientConfig as HttpClientConfig, Config};
use silly::net::tls;
use silly::net::websocket::{self, FrameType};
use util::pki::{mutual_tls_server, Ca};

#[test]
fn http_and_websocket_clients_show_their_certificate() {
    let ca = Ca::new("clients CA");
    let carol = ca.leaf_named(Some("carol"), &["carol.example"]);
    let carol_der = carol.cert_der.to_vec();
    let client_tls = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes())
        .unwrap()
        .client_cert(carol.cert_pem.as_bytes(), carol.key_pem.as_bytes())
        .unwrap();
    let server_tls = mutual_tls_server(&ca, &ca);
    silly::run(move || {
        let expected = carol_der.clone();
        let server = http::listen_with(
            "127.0.0.1:0",
            Config::default().tls(Some(server_tls)),
            move |s| {
                let chain = s.peer_certificates().expect("a client certificate");
                assert_eq!(chain[0].as_ref(), expected.as_slice());
                if s.path() == "/ws" {
                    let sock = websocket::upgrade(s).unwrap();
                    let still = sock.conn().peer_certificates().unwrap();
                    let same = still[0].as_ref() == expected.as_slice();
                    let _ = sock.write(if same { b"carol" } else { b"other" }, FrameType::Text);
                    let _ = sock.read();
                } else {
                    let _ = s.reply(200, &[], b"carol");
                }
            },
        )
        .unwrap();
        let port = server.local_addr().port();

        let http_client = Client::new(HttpClientConfig::default().tls(client_tls.clone())).unwrap();
        let response = http_client
            .get(&format!("https://localhost:{port}/"))
            .unwrap();
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &b"carol"[..])
        );

        let ws_config = websocket::Config::default().tls(client_tls);
        let sock =
            websocket::connect_with(&format!("wss://localhost:{port}/ws"), &[], ws_config).unwrap();
        assert_eq!(sock.read().unwrap().0, b"carol");
        sock.close().unwrap();
        server.close();
    });
}
