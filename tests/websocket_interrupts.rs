//! A WebSocket read or write cut short by `time::timeout` or `Task::cancel`
//! leaves the socket whole: the next read returns the rest of the message
//! being read, and the rest of a message being written goes out before
//! anything else (issue 21's two reports, and the same cuts by a cancel).

mod util;

use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::net::websocket::{self, FrameType, Message};
use silly::{task, time};
use util::ws::{accept_raw, frame};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Serves `pieces` of raw frames by hand, each after its delay, to one
/// client; returns the client's URL and the server task.
fn raw_server(pieces: Vec<(Duration, Vec<u8>)>) -> (String, task::JoinHandle<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let server = task::fork(move || {
        let conn = accept_raw(&listener);
        for (delay, bytes) in pieces {
            time::sleep(delay);
            conn.write_all(&bytes).unwrap();
        }
        conn
    });
    (url, server)
}

#[test]
fn a_read_cut_mid_frame_goes_on_with_that_frame() {
    silly::run(|| {
        // The report: 100,000 bytes in two halves 400 ms apart, the
        // first read cut by a 100 ms timeout, the next without one.
        let payload = pattern(100_000, 7);
        let wire = frame(true, 0, 2, &payload, None);
        let (a, b) = wire.split_at(wire.len() / 2);
        let (url, server) = raw_server(vec![
            (Duration::ZERO, a.to_vec()),
            (Duration::from_millis(400), b.to_vec()),
        ]);
        let sock = websocket::connect(&url, &[]).unwrap();
        let cut = time::timeout(Duration::from_millis(100), || sock.read_message());
        assert!(cut.is_err(), "cut mid-frame");
        assert_eq!(sock.read_message().unwrap(), Message::Binary(payload));
        drop(server.join().unwrap());
    });
}

#[test]
fn a_read_cut_anywhere_in_a_fragmented_text_loses_nothing() {
    silly::run(|| {
        // Two-byte characters, fragments split inside one, a ping between
        // fragments, and the cuts inside headers, payloads and characters.
        let text = "é".repeat(3000);
        let bytes = text.as_bytes();
        let mut wire = frame(false, 0, 1, &bytes[..1001], None);
        wire.extend(frame(true, 0, 9, b"ping", None));
        wire.extend(frame(false, 0, 0, &bytes[1001..4001], None));
        wire.extend(frame(true, 0, 0, &bytes[4001..], None));
        let cuts_at = [1, 500, 1004, 1009, 1013, 2500, 4010, 5000];
        let mut pieces = Vec::new();
        let mut from = 0;
        for at in cuts_at {
            pieces.push((Duration::from_millis(150), wire[from..at].to_vec()));
            from = at;
        }
        pieces.push((Duration::from_millis(150), wire[from..].to_vec()));
        let (url, server) = raw_server(pieces);
        let sock = websocket::connect(&url, &[]).unwrap();
        let mut got = Vec::new();
        let mut cuts = 0;
        while got.len() < 2 {
            match time::timeout(Duration::from_millis(100), || sock.read_message()) {
                Ok(message) => got.push(message.unwrap()),
                Err(_) => cuts += 1,
            }
            assert!(cuts < 60, "stuck");
        }
        assert!(cuts >= cuts_at.len(), "every piece waited: {cuts} cuts");
        assert_eq!(got[0], Message::Ping(b"ping".to_vec()));
        assert_eq!(got[1], Message::Text(text));
        // The pong went out whole, masked.
        let conn = server.join().unwrap();
        let mut head = [0u8; 2];
        conn.read_exact(&mut head).unwrap();
        assert_eq!((head[0], head[1]), (0x8A, 0x80 | 4));
    });
}

/// A server that reads nothing for `delay`, then reads messages into the
/// returned list until the connection ends.
fn slow_reader_server(
    delay: Duration,
) -> (
    silly::net::http::Server,
    Rc<std::cell::RefCell<Vec<Message>>>,
) {
    let got = Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = got.clone();
    let server = silly::net::http::listen("127.0.0.1:0", move |stream| {
        let Ok(sock) = websocket::upgrade(stream) else {
            return;
        };
        time::sleep(delay);
        while let Ok(message) = sock.read_message() {
            let close = matches!(message, Message::Close(_));
            seen.borrow_mut().push(message);
            if close {
                return;
            }
        }
    })
    .unwrap();
    (server, got)
}

#[test]
fn a_write_cut_mid_frame_is_finished_before_the_next() {
    silly::run(|| {
        // The report: 4 MiB cut by a timeout, then "next".
        let (server, got) = slow_reader_server(Duration::from_millis(300));
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        let big = pattern(4 << 20, 3);
        let cut = time::timeout(Duration::from_millis(50), || {
            sock.write(&big, FrameType::Binary)
        });
        assert!(cut.is_err(), "the peer does not read: the write waits");
        sock.write(b"next", FrameType::Text).unwrap();
        sock.close().unwrap();
        let got = got.borrow();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], Message::Binary(big));
        assert_eq!(got[1], Message::Text("next".into()));
        assert!(matches!(got[2], Message::Close(_)));
    });
}

#[test]
fn a_server_write_cut_mid_frame_is_finished_before_a_pong() {
    silly::run(|| {
        // Server side (unmasked, vectored), fragmented (64 KiB fragments),
        // and the next thing out is a pong, not a write.
        let big = pattern(16 << 20, 9);
        let sent = big.clone();
        let server = silly::net::http::listen("127.0.0.1:0", move |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            let cut = time::timeout(Duration::from_millis(50), || {
                sock.write(&sent, FrameType::Binary)
            });
            assert!(cut.is_err());
            // The client's ping: its pong waits for the rest of the message.
            assert_eq!(sock.read_message().unwrap(), Message::Ping(b"p".to_vec()));
            assert_eq!(sock.read_message().unwrap(), Message::Text("done".into()));
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        time::sleep(Duration::from_millis(300));
        sock.write(b"p", FrameType::Ping).unwrap();
        assert_eq!(sock.read_message().unwrap(), Message::Binary(big));
        assert_eq!(sock.read_message().unwrap(), Message::Pong(b"p".to_vec()));
        sock.write(b"done", FrameType::Text).unwrap();
    });
}

#[test]
fn a_cancel_cuts_a_read_and_a_write_and_the_socket_goes_on() {
    silly::run(|| {
        let (server, got) = slow_reader_server(Duration::from_millis(300));
        let sock =
            Rc::new(websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap());
        let big = Rc::new(pattern(4 << 20, 5));
        let (s, b) = (sock.clone(), big.clone());
        let writer = task::fork(move || s.write(&b, FrameType::Binary));
        let s = sock.clone();
        let reader = task::fork(move || s.read_message());
        time::sleep(Duration::from_millis(50));
        writer.task().cancel();
        reader.task().cancel();
        assert!(writer.join().unwrap_err().is_cancelled());
        assert!(reader.join().unwrap_err().is_cancelled());
        sock.write(b"after", FrameType::Text).unwrap();
        sock.close().unwrap();
        let got = got.borrow();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], Message::Binary(big.to_vec()));
        assert_eq!(got[1], Message::Text("after".into()));
    });
}

#[test]
fn a_close_after_a_cut_read_skips_the_rest_of_that_frame() {
    silly::run(|| {
        let payload = pattern(50_000, 2);
        let wire = frame(true, 0, 2, &payload, None);
        let (url, server) = raw_server(vec![(Duration::ZERO, wire[..1000].to_vec())]);
        let sock = websocket::connect(&url, &[]).unwrap();
        let cut = time::timeout(Duration::from_millis(100), || sock.read_message());
        assert!(cut.is_err(), "cut mid-frame");
        let conn = server.join().unwrap();
        let peer = task::fork(move || {
            // The client's close (masked, code 1000), then the rest of the
            // frame it was reading, then our answering close.
            let mut head = [0u8; 2 + 4 + 2];
            conn.read_exact(&mut head).unwrap();
            assert_eq!((head[0], head[1]), (0x88, 0x80 | 2));
            let code = [head[6] ^ head[2], head[7] ^ head[3]];
            assert_eq!(u16::from_be_bytes(code), 1000);
            conn.write_all(&wire[1000..]).unwrap();
            conn.write_all(&frame(true, 0, 8, &1000u16.to_be_bytes(), None))
                .unwrap();
        });
        sock.close().unwrap();
        assert_eq!(sock.peer_close(), Some((1000, String::new())));
        assert!(sock.is_closed());
        peer.join().unwrap();
    });
}

/// A frame as a client sent it: (fin, opcode, payload unmasked).
fn read_client_frame(conn: &TcpStream) -> (bool, u8, Vec<u8>) {
    let mut head = [0u8; 2];
    conn.read_exact(&mut head).unwrap();
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            conn.read_exact(&mut b).unwrap();
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            conn.read_exact(&mut b).unwrap();
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut key = [0u8; 4];
    conn.read_exact(&mut key).unwrap();
    let mut payload = vec![0u8; len];
    conn.read_exact(&mut payload).unwrap();
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
    (head[0] & 0x80 != 0, head[0] & 0x0f, payload)
}

#[test]
fn a_ping_read_while_its_pong_waits_is_returned_by_the_next_read() {
    silly::run(|| {
        let (url, server) = raw_server(vec![]);
        let sock = websocket::connect(&url, &[]).unwrap();
        let conn = server.join().unwrap();
        // A write cut short: the rest is owed, and the peer reads nothing yet.
        let big = pattern(16 << 20, 4);
        let cut = time::timeout(Duration::from_millis(50), || {
            sock.write(&big, FrameType::Binary)
        });
        assert!(cut.is_err());
        conn.write_all(&frame(true, 0, 9, b"are you there", None))
            .unwrap();
        // The read gets the ping, then waits to send what is owed before its
        // pong: cut there, the ping is not lost.
        let cut = time::timeout(Duration::from_millis(200), || sock.read_message());
        assert!(cut.is_err(), "the pong waits behind the owed message");
        let peer = task::fork(move || {
            let mut data = Vec::new();
            let mut frames = Vec::new();
            loop {
                let (_, opcode, payload) = read_client_frame(&conn);
                frames.push(opcode);
                if opcode == 0xA {
                    return (data, payload, frames);
                }
                data.extend_from_slice(&payload);
            }
        });
        assert_eq!(
            sock.read_message().unwrap(),
            Message::Ping(b"are you there".to_vec())
        );
        sock.flush().unwrap();
        let (data, pong, frames) = peer.join().unwrap();
        assert_eq!(pong, b"are you there");
        assert!(
            data == big,
            "the message, whole, before the pong ({frames:?})"
        );
    });
}
