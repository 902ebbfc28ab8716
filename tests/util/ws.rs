//! WebSocket test servers, and raw frames for tests that play a client by hand.

use std::time::Duration;

use silly::net::http;
use silly::net::http::Server;
use silly::net::tcp::TcpStream;
use silly::net::websocket::{self, FrameType};

/// The masking key of the frames [`frame`] makes.
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// An echo server: text and binary back with their type.
pub fn echo_server() -> Server {
    echo_server_with(websocket::Config::default())
}

/// [`echo_server`] whose sockets have `config`.
pub fn echo_server_with(config: websocket::Config) -> Server {
    http::listen("127.0.0.1:0", move |stream| {
        let Ok(sock) = websocket::upgrade_with(stream, config.clone()) else {
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
    })
    .unwrap()
}

/// A frame as a client would send it (masked unless `mask` is None).
pub fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![(if fin { 0x80 } else { 0 }) | (rsv << 4) | opcode];
    let m = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(m | n as u8),
        n if n <= 65535 => {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// A frame as the server sent it: (fin, opcode, payload, raw header bytes);
/// `None` once the connection ends (or its read timeout passes).
pub fn read_frame(conn: &TcpStream) -> Option<(bool, u8, Vec<u8>, Vec<u8>)> {
    let mut head = [0u8; 2];
    conn.read_exact(&mut head).ok()?;
    assert_eq!(head[1] & 0x80, 0, "server frames are never masked");
    let mut raw = head.to_vec();
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            conn.read_exact(&mut b).ok()?;
            raw.extend_from_slice(&b);
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            conn.read_exact(&mut b).ok()?;
            raw.extend_from_slice(&b);
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0u8; len];
    conn.read_exact(&mut payload).ok()?;
    Some((head[0] & 0x80 != 0, head[0] & 0x0f, payload, raw))
}

/// Opens a raw WebSocket connection to `addr` for `path` (the key is RFC
/// 6455's example) and reads the response head, which must be a 101. Reads
/// time out after 5 s.
///
/// # Errors
///
/// The connection's, or `InvalidData` for another response.
pub fn open_raw(addr: std::net::SocketAddr, path: &str) -> std::io::Result<TcpStream> {
    open_raw_with(addr, path, "").map(|(conn, _)| conn)
}

/// [`open_raw`] with `extra` request header lines (each ending in CRLF);
/// returns the response head too.
///
/// # Errors
///
/// As [`open_raw`].
pub fn open_raw_with(
    addr: std::net::SocketAddr,
    path: &str,
    extra: &str,
) -> std::io::Result<(TcpStream, String)> {
    let conn = TcpStream::connect(addr)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    );
    conn.write_all(request.as_bytes())?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if conn.read_until(b'\n', &mut head)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        let head = String::from_utf8_lossy(&head).into_owned();
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, head));
    }
    Ok((conn, String::from_utf8_lossy(&head).into_owned()))
}

/// [`open_raw`], which must succeed.
pub fn open(addr: std::net::SocketAddr, path: &str) -> TcpStream {
    open_raw(addr, path).unwrap()
}

/// Plays a WebSocket server by hand on `listener`: accepts one connection,
/// reads the handshake and answers 101, then hands the raw stream back.
pub fn accept_raw(listener: &silly::net::tcp::TcpListener) -> TcpStream {
    let (conn, _) = listener.accept().unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        assert!(conn.read_until(b'\n', &mut head).unwrap() > 0, "handshake");
    }
    let head = String::from_utf8(head).unwrap();
    let key = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_owned())
        })
        .expect("a key");
    let reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        websocket::accept_key(&key)
    );
    conn.write_all(reply.as_bytes()).unwrap();
    conn
}

/// A frame as a client sent it, unmasked: (opcode, payload); `None` once
/// the connection ends (or its read timeout passes). Panics on an unmasked
/// frame: a client masks every frame (RFC 6455, section 5.1).
pub fn read_client_frame(conn: &TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    conn.read_exact(&mut head).ok()?;
    assert_ne!(head[1] & 0x80, 0, "client frames are masked");
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            conn.read_exact(&mut b).ok()?;
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            conn.read_exact(&mut b).ok()?;
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut key = [0u8; 4];
    conn.read_exact(&mut key).ok()?;
    let mut payload = vec![0u8; len];
    conn.read_exact(&mut payload).ok()?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
    Some((head[0] & 0x0f, payload))
}
