//! Frame streams after a valid upgrade, sent to a real WebSocket echo server
//! over loopback: the frame decoder, the message assembler (fragments, UTF-8,
//! control frames, close payloads) and the close handshake. Any panic aborts.
#![no_main]

#[path = "abort_on_panic.rs"]
mod abort_on_panic;

use std::io::Read;
use std::net::Shutdown;
use std::time::Duration;

use silly::net::http;
use silly::net::tcp::TcpStream;
use silly::net::websocket::{self, FrameType};

const UPGRADE: &[u8] =
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    abort_on_panic::install();
    let data = data.to_vec();
    silly::run(move || {
        let server = http::listen("127.0.0.1:0", |stream| {
            let mut config = websocket::Config::default();
            config.close_timeout = Some(Duration::from_millis(50));
            config.max_message_bytes = 1 << 20;
            if let Ok(sock) = websocket::upgrade_with(stream, config) {
                while let Ok((payload, kind)) = sock.read() {
                    if matches!(kind, FrameType::Text | FrameType::Binary)
                        && sock.write(&payload, kind).is_err()
                    {
                        break;
                    }
                }
            }
        })
        .unwrap();
        let conn = TcpStream::connect(server.local_addr()).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = conn.write_all(UPGRADE);
        let _ = conn.write_all(&data);
        let _ = conn.shutdown(Shutdown::Write);
        let mut reply = Vec::new();
        let _ = (&conn).read_to_end(&mut reply);
        assert!(
            reply.starts_with(b"HTTP/1.1 101"),
            "the upgrade is answered"
        );
        server.close();
    });
});
