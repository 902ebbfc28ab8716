//! HTTPS server with a self-signed certificate made at start.
//!
//! ```text
//! cargo run --example https -- 127.0.0.1:8443
//! curl --insecure https://127.0.0.1:8443/
//! ```

use silly::net::http::{self, Config};
use silly::net::tls::ServerConfig;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8443".to_owned());
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    let tls = ServerConfig::builder()
        .cert(
            cert.cert.pem().as_bytes(),
            cert.signing_key.serialize_pem().as_bytes(),
        )
        .and_then(|b| b.alpn(["http/1.1"]).build())
        .expect("a valid TLS config");
    silly::run(move || {
        let config = Config::new(addr.as_str(), |stream| {
            let text = format!(
                "Hello over {} from {}\n",
                stream.scheme(),
                stream.remote_addr()
            );
            let _ = stream.reply(200, &[("Content-Type", "text/plain")], text.as_bytes());
        })
        .tls(tls);
        match http::listen(config) {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park();
            }
            Err(err) => {
                eprintln!("https: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}
