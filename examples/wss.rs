//! Secure WebSocket (the seed's Example 2): an HTTPS server with a certificate
//! made at start, upgrading to `wss://` and echoing.
//!
//! ```text
//! cargo run --example wss -- 127.0.0.1:8443
//! ```

use silly::net::http::{self, Config};
use silly::net::tls::ServerConfig;
use silly::net::websocket::{self, FrameType};

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8443".to_owned());
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    let tls = ServerConfig::from_pem(
        cert.cert.pem().as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .expect("a valid TLS config");
    silly::run(move || {
        let config = Config::new(addr.as_str(), |stream| {
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
        .tls(tls);
        match http::listen(config) {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park();
            }
            Err(err) => {
                eprintln!("wss: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}
