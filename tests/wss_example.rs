//! `examples/wss.rs` writes its self-signed certificate to a file, and a
//! client that trusts that file (`tls::ClientConfig::with_ca_pem`) connects;
//! one that trusts only the usual roots is refused. The server is the example
//! program, run as a child process.

mod util;

use silly::net::tls;
use silly::net::websocket::{self, Error, FrameType, Message};
use util::example::Example;

#[test]
fn a_client_trusts_the_certificate_file_the_wss_example_writes() {
    let dir = std::env::temp_dir().join(format!("silly-wss-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_file = dir.join("cert.pem");
    let server = Example::start("wss", &["127.0.0.1:0", cert_file.to_str().unwrap()]);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    let pem = std::fs::read(&cert_file).expect("the example wrote its certificate");
    silly::run(move || {
        let url = format!("wss://localhost:{port}");
        // As the example's docs show it.
        let tls = tls::ClientConfig::with_ca_pem(&pem).expect("a PEM certificate");
        let config = websocket::Config::default().tls(tls);
        let sock = websocket::connect_with(&url, &[], config).unwrap();
        assert!(sock.conn().is_tls());
        assert_eq!(
            sock.read_message().unwrap(),
            Message::Text("Secure connection established".into())
        );
        sock.write("echo é".as_bytes(), FrameType::Text).unwrap();
        assert_eq!(sock.read_message().unwrap(), Message::Text("echo é".into()));
        sock.close().unwrap();

        // Without it, the self-signed certificate is refused.
        let err = websocket::connect(&url, &[]).unwrap_err();
        assert!(matches!(err, Error::Io(_)), "{err}");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
