//! WebSocket test servers, and raw clients for frames our client never sends.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use silly::net::http::{self, Config};
use silly::net::tcp::{Server, TcpStream};
use silly::net::websocket::{self, FrameType};

/// The request head of a raw upgrade (the key is RFC 6455's example).
pub const UPGRADE_REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

/// Opens a raw WebSocket connection to `addr`: sends [`UPGRADE_REQUEST`] and
/// reads the response head, which must be a 101. Reads time out after 5 s.
///
/// # Errors
///
/// The connection's, or `InvalidData` for another response.
pub fn open_raw(addr: SocketAddr) -> io::Result<TcpStream> {
    let conn = TcpStream::connect(addr)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    conn.write_all(UPGRADE_REQUEST)?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read_until(b'\n', &mut head)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        let head = String::from_utf8_lossy(&head).into_owned();
        return Err(io::Error::new(io::ErrorKind::InvalidData, head));
    }
    Ok(conn)
}

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
