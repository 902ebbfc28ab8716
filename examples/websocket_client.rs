//! WebSocket client: connects to the URL given first (default
//! `ws://127.0.0.1:8080`), sends each further argument as a text message (or
//! "Hello, Server!"), prints the replies, and closes. With `--ca FILE` first,
//! a `wss://` server's certificate is checked against the PEM certificates in
//! FILE instead of the usual roots (for a private CA or a self-signed
//! certificate, such as the one `examples/wss.rs` writes).
//!
//! ```text
//! cargo run --example websocket_echo &
//! cargo run --example websocket_client -- ws://127.0.0.1:8080 one two
//! cargo run --example websocket_client -- --ca /tmp/wss-cert.pem wss://localhost:8443 hi
//! ```

use silly::net::tls::ClientConfig;
use silly::net::websocket::{self, FrameType};

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let mut config = websocket::Config::default();
    if args.peek().map(String::as_str) == Some("--ca") {
        let file = args.nth(1).unwrap_or_default();
        let tls = std::fs::read(&file)
            .map_err(|err| err.to_string())
            .and_then(|pem| ClientConfig::with_ca_pem(&pem).map_err(|err| err.to_string()));
        match tls {
            Ok(tls) => config = config.tls(tls),
            Err(err) => {
                eprintln!("websocket_client: --ca {file:?}: {err}");
                std::process::exit(2);
            }
        }
    }
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8080".to_owned());
    let mut messages: Vec<String> = args.collect();
    if messages.is_empty() {
        messages.push("Hello, Server!".to_owned());
    }
    silly::run(move || {
        let sock = match websocket::connect_with(&url, &[], config) {
            Ok(sock) => sock,
            Err(err) => {
                eprintln!("websocket_client: {err}");
                silly::exit(1);
            }
        };
        println!("connected to {url}");
        for message in &messages {
            if let Err(err) = sock.write(message.as_bytes(), FrameType::Text) {
                eprintln!("websocket_client: write failed: {err}");
                break;
            }
            match sock.read() {
                Ok((data, FrameType::Text)) => {
                    println!("received: {}", String::from_utf8_lossy(&data))
                }
                Ok((data, kind)) => println!("received {kind:?}: {} bytes", data.len()),
                Err(err) => {
                    eprintln!("websocket_client: read failed: {err}");
                    break;
                }
            }
        }
        let _ = sock.close();
    });
}
