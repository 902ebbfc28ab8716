//! WebSocket echo server on any path: text and binary messages come back with
//! their type. The Autobahn TestSuite's fuzzing client runs against it.
//! permessage-deflate is on, with per-connection contexts; a second argument
//! `shared` or `off` changes that.
//!
//! ```text
//! cargo run --release --example websocket_echo -- 127.0.0.1:9001 [shared|off]
//! ```

use silly::net::http::{self, Config};
use silly::net::websocket::{self, Compression, FrameType};

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let compression = match std::env::args().nth(2).as_deref() {
        Some("off") => None,
        Some("shared") => Some(Compression::shared()),
        _ => Some(Compression::per_connection()),
    };
    let ws_config = websocket::Config::default().compression(compression);
    silly::run(move || {
        let config = Config::new(addr.as_str(), move |stream| {
            let Ok(sock) = websocket::upgrade_with(stream, ws_config.clone()) else {
                return; // not a WebSocket handshake: answered 400/426 already
            };
            loop {
                match sock.read() {
                    Ok((data, kind @ (FrameType::Text | FrameType::Binary))) => {
                        if sock.write(&data, kind).is_err() {
                            return;
                        }
                    }
                    Ok((_, FrameType::Close)) | Err(_) => return,
                    Ok(_) => {} // ping (answered for us) or pong
                }
            }
        });
        match http::listen(config) {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park();
            }
            Err(err) => {
                eprintln!("websocket_echo: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}
