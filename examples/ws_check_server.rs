//! WebSocket echo server with a message size limit, for checking clients
//! (`tests/peers/` runs Python `websockets` and Node `ws` clients against it).
//!
//! - Any path but the one below: text and binary messages come back with their
//!   type. A message over the limit (second argument, bytes, default 65536)
//!   closes the connection with 1009, invalid UTF-8 in text with 1007.
//! - `/last-close`: sends one text message, the code and reason of the last
//!   close frame an echo connection received (`"4001 bye"`, or `"none"`), and
//!   closes. It lets a client check that its close reason arrived.
//!
//! ```text
//! cargo run --release --example ws_check_server -- 127.0.0.1:9002 65536
//! ```

#[path = "shared/serve.rs"]
mod serve;

use std::cell::RefCell;
use std::rc::Rc;

use silly::net::http;
use silly::net::websocket::{self, FrameType};

use self::serve::Options;

fn main() {
    let options = Options::parse("ws_check_server", "127.0.0.1:8080");
    let limit: usize = match options.rest.first().map(|s| s.parse()) {
        None => 64 * 1024,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: ws_check_server [ADDR] [MAX_MESSAGE_BYTES] [--grace SECS]");
            std::process::exit(2);
        }
    };
    serve::serve("ws_check_server", options, move |addr| {
        let last_close = Rc::new(RefCell::new(String::from("none")));
        http::listen(addr, move |stream| {
            let ws_config = websocket::Config::default().max_message_bytes(limit);
            let report = stream.path() == "/last-close";
            let Ok(sock) = websocket::upgrade_with(stream, ws_config) else {
                return;
            };
            if report {
                let text = last_close.borrow().clone();
                if sock.write(text.as_bytes(), FrameType::Text).is_ok() {
                    let _ = sock.close();
                }
                return;
            }
            loop {
                match sock.read() {
                    Ok((data, kind @ (FrameType::Text | FrameType::Binary))) => {
                        if sock.write(&data, kind).is_err() {
                            break;
                        }
                    }
                    Ok((_, FrameType::Close)) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            if let Some((code, reason)) = sock.peer_close() {
                *last_close.borrow_mut() = format!("{code} {reason}");
            }
        })
    });
}
