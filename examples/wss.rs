//! Secure WebSocket (the seed's Example 2): an HTTPS server with a self-signed
//! certificate made at start, upgrading to `wss://` and echoing.
//!
//! The certificate (for `localhost` and `127.0.0.1`) is written to a PEM file,
//! the second argument (default `silly-wss-cert.pem` in the temporary
//! directory), which a client can trust:
//!
//! ```text
//! cargo run --example wss -- 127.0.0.1:8443 /tmp/wss-cert.pem [--grace SECS]
//! cargo run --example websocket_client -- --ca /tmp/wss-cert.pem wss://localhost:8443 hello
//! ```
//!
//! In a client's code, trust it with `tls::ClientConfig::with_ca_pem` (a
//! client that trusts only the usual roots refuses this certificate):
//!
//! ```no_run
//! use silly::net::{tls, websocket};
//!
//! silly::run(|| {
//!     let pem = std::fs::read("/tmp/wss-cert.pem").expect("the certificate file");
//!     let tls = tls::ClientConfig::with_ca_pem(&pem).expect("a PEM certificate");
//!     let config = websocket::Config::default().tls(tls);
//!     let sock = websocket::connect_with("wss://localhost:8443", &[], config).unwrap();
//!     println!("{:?}", sock.read_message());
//! });
//! ```

#[path = "shared/serve.rs"]
mod serve;

use std::path::PathBuf;

use silly::net::http::{self, Config};
use silly::net::tls::ServerConfig;
use silly::net::websocket::{self, FrameType};

use self::serve::Options;

fn main() {
    let options = Options::parse("wss", "127.0.0.1:8443");
    let cert_file = options
        .rest
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("silly-wss-cert.pem"));
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    let cert_pem = cert.cert.pem();
    // Written before the server announces itself: a client started on the
    // `listening on` line finds the file complete.
    if let Err(err) = std::fs::write(&cert_file, &cert_pem) {
        eprintln!("wss: cannot write {}: {err}", cert_file.display());
        std::process::exit(1);
    }
    let tls = ServerConfig::from_pem(
        cert_pem.as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .expect("a valid TLS config");
    serve::say(format_args!(
        "certificate: {} (trust it in a client with \
         tls::ClientConfig::with_ca_pem, or websocket_client --ca FILE)",
        cert_file.display()
    ));
    serve::serve("wss", options, move |addr| {
        http::listen_with(addr, Config::default().tls(Some(tls.clone())), |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            let _ = sock.write(b"Secure connection established", FrameType::Text);
            loop {
                match sock.read() {
                    Ok((data, kind @ (FrameType::Text | FrameType::Binary))) => {
                        if sock.write(&data, kind).is_err() {
                            return;
                        }
                    }
                    Ok((_, FrameType::Close)) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
    });
}
