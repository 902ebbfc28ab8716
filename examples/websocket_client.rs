//! WebSocket client: connects to the URL given first (default
//! `ws://127.0.0.1:8080`), sends each further argument as a text message (or
//! "Hello, Server!"), prints the replies, and closes.
//!
//! ```text
//! cargo run --example websocket_echo &
//! cargo run --example websocket_client -- ws://127.0.0.1:8080 one two
//! ```

use silly::net::websocket::{self, FrameType};

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8080".to_owned());
    let mut messages: Vec<String> = args.collect();
    if messages.is_empty() {
        messages.push("Hello, Server!".to_owned());
    }
    silly::run(move || {
        let sock = match websocket::connect(&url, &[]) {
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
