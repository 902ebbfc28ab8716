//! WebSocket echo server on any path: text and binary messages come back with
//! their type. The Autobahn TestSuite's fuzzing client runs against it.
//!
//! ```text
//! cargo run --release --example websocket_echo -- 127.0.0.1:9001 [shared|off] [--threads N] [--grace SECS]
//! ```
//!
//! permessage-deflate is offered with a context per connection, or one shared
//! per runtime (`shared`), or not at all (`off`).
//!
//! Stops on SIGINT or SIGTERM: every client gets close 1001 (Going Away).

#[path = "shared/serve.rs"]
mod serve;

use silly::net::http;
use silly::net::websocket::{self, Compression, FrameType};

use self::serve::Options;

/// Which compression the server offers (the argument after the address).
#[derive(Debug, Clone, Copy)]
enum Mode {
    PerConnection,
    Shared,
    Off,
}

fn main() {
    let options = Options::parse("websocket_echo", "127.0.0.1:8080");
    let mode = match options.rest.first().map(String::as_str) {
        Some("off") => Mode::Off,
        Some("shared") => Mode::Shared,
        _ => Mode::PerConnection,
    };
    serve::serve("websocket_echo", options, move |addr| {
        let compression = match mode {
            Mode::Off => None,
            Mode::Shared => Some(Compression::shared()),
            Mode::PerConnection => Some(Compression::per_connection()),
        };
        let ws_config = websocket::Config::default().compression(compression);
        http::listen(addr, move |stream| {
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
                    // Also how a shutdown ends it: the server sent close 1001.
                    Ok((_, FrameType::Close)) | Err(_) => return,
                    Ok(_) => {} // ping (answered for us) or pong
                }
            }
        })
    });
}
