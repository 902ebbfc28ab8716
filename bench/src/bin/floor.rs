//! The floor: the least a server can do on this kernel. A bare mio loop, no
//! runtime: per message one `read` and one `write`.
//!
//! ```text
//! floor ADDR tcp    # echo
//! floor ADDR http   # a fixed "Hello, World!" response per request head
//! floor ADDR ws     # a WebSocket echo: handshake, then unmask and echo frames
//! ```
//!
//! It trusts its input (it is only ever driven by our loader): no limits, no
//! UTF-8 checks, no error handling beyond dropping the connection.

use std::io::{ErrorKind, Read, Write};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

const LISTENER: Token = Token(usize::MAX);
const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Tcp,
    Http,
    Ws,
}

struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    upgraded: bool,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let mode = match args.next().as_deref() {
        Some("http") => Mode::Http,
        Some("ws") => Mode::Ws,
        _ => Mode::Tcp,
    };
    let mut listener = TcpListener::bind(addr.parse().expect("an ip:port address")).expect("bind");
    let mut poll = Poll::new().expect("poll");
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .expect("register");
    println!(
        "listening on {}",
        listener.local_addr().expect("local addr")
    );
    let mut conns: slab::Slab<Conn> = slab::Slab::new();
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(64 * 1024);
    loop {
        poll.poll(&mut events, None).expect("poll");
        for event in events.iter() {
            if event.token() == LISTENER {
                while let Ok((mut stream, _)) = listener.accept() {
                    let _ = stream.set_nodelay(true);
                    let entry = conns.vacant_entry();
                    poll.registry()
                        .register(&mut stream, Token(entry.key()), Interest::READABLE)
                        .expect("register");
                    entry.insert(Conn {
                        stream,
                        input: Vec::new(),
                        upgraded: false,
                    });
                }
                continue;
            }
            let key = event.token().0;
            let Some(conn) = conns.get_mut(key) else {
                continue;
            };
            let mut close = false;
            loop {
                match conn.stream.read(&mut buf) {
                    Ok(0) => {
                        close = true;
                        break;
                    }
                    Ok(n) => {
                        out.clear();
                        answer(mode, conn, &buf[..n], &mut out);
                        if !out.is_empty() && conn.stream.write_all(&out).is_err() {
                            close = true;
                            break;
                        }
                        if n < buf.len() {
                            break; // drained (edge-triggered: the next data is a new event)
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        close = true;
                        break;
                    }
                }
            }
            if close {
                let mut conn = conns.remove(key);
                let _ = poll.registry().deregister(&mut conn.stream);
            }
        }
    }
}

/// Appends to `out` what the server sends for the bytes just read.
fn answer(mode: Mode, conn: &mut Conn, data: &[u8], out: &mut Vec<u8>) {
    match mode {
        Mode::Tcp => out.extend_from_slice(data),
        Mode::Http => {
            conn.input.extend_from_slice(data);
            while let Some(end) = find(&conn.input, b"\r\n\r\n") {
                out.extend_from_slice(HELLO);
                conn.input.drain(..end + 4);
            }
        }
        Mode::Ws => {
            conn.input.extend_from_slice(data);
            if !conn.upgraded {
                let Some(end) = find(&conn.input, b"\r\n\r\n") else {
                    return;
                };
                let head = String::from_utf8_lossy(&conn.input[..end]).into_owned();
                let key = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                out.extend_from_slice(
                    format!(
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                        silly::net::websocket::accept_key(&key)
                    )
                    .as_bytes(),
                );
                conn.input.drain(..end + 4);
                conn.upgraded = true;
            }
            echo_frames(&mut conn.input, out);
        }
    }
}

/// Echoes every complete masked frame in `input` as an unmasked frame.
fn echo_frames(input: &mut Vec<u8>, out: &mut Vec<u8>) {
    let mut at = 0;
    loop {
        let rest = &input[at..];
        if rest.len() < 2 {
            break;
        }
        let (len, mut header) = match rest[1] & 0x7f {
            126 if rest.len() >= 4 => (u16::from_be_bytes([rest[2], rest[3]]) as usize, 4),
            127 if rest.len() >= 10 => (
                u64::from_be_bytes(rest[2..10].try_into().unwrap()) as usize,
                10,
            ),
            126 | 127 => break,
            n => (n as usize, 2),
        };
        header += 4; // mask
        if rest.len() < header + len {
            break;
        }
        let mask = [
            rest[header - 4],
            rest[header - 3],
            rest[header - 2],
            rest[header - 1],
        ];
        out.push(rest[0]);
        match len {
            n if n < 126 => out.push(n as u8),
            n if n <= 65535 => {
                out.push(126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend(
            rest[header..header + len]
                .iter()
                .enumerate()
                .map(|(i, b)| b ^ mask[i % 4]),
        );
        at += header + len;
    }
    input.drain(..at);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
