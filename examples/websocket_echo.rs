//! WebSocket echo server on any path: text and binary messages come back with
//! their type. The Autobahn TestSuite's fuzzing client runs against it.
//!
//! ```text
//! cargo run --release --example websocket_echo -- 127.0.0.1:9001 [--threads N] [--grace SECS]
//! ```
//!
//! Stops on SIGINT or SIGTERM: every client gets close 1001 (Going Away).

#[path = "shared/serve.rs"]
mod serve;

use silly::net::http::{self, Config};
use silly::net::websocket::{self, FrameType};

use self::serve::Options;

fn main() {
    let options = Options::parse("websocket_echo", "127.0.0.1:8080");
    serve::serve("websocket_echo", options, |addr| {
        http::listen(Config::new(addr, |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
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
        }))
    });
}
