//! WebSocket test servers.

use silly::net::http::{self, Config};
use silly::net::tcp::Server;
use silly::net::websocket::{self, FrameType};

/// An echo server: text and binary back with their type.
pub fn echo_server() -> Server {
    http::listen(Config::new("127.0.0.1:0", |stream| {
        let Ok(sock) = websocket::upgrade(stream) else {
            return;
        };
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
    }))
    .unwrap()
}
