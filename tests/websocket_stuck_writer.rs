//! While a socket's writer is stuck (the peer does not read), what waits for
//! it stays bounded: pings get one pong, for the latest (RFC 6455, section
//! 5.5.3), not one queued per ping; and a peer's reset closes the socket
//! (`is_closed`), whether it was reading or writing.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, FrameType, Message, Socket};
use silly::{task, time};
use util::ws::{frame, open, read_frame, MASK};

const PINGS: u32 = 5_000;

/// A server whose socket, once upgraded, is handed to `serve`.
fn server(serve: impl Fn(Socket) + 'static) -> http::Server {
    let serve = Rc::new(serve);
    http::listen("127.0.0.1:0", move |stream| {
        if let Ok(sock) = websocket::upgrade(stream) {
            serve(sock);
        }
    })
    .unwrap()
}

#[test]
fn pings_behind_a_stuck_writer_get_one_pong() {
    silly::run(|| {
        let pings_read = Rc::new(Cell::new(0));
        let seen = pings_read.clone();
        let server = server(move |sock| {
            let writer = sock.clone();
            // Stuck: 16 MiB to a client that reads nothing yet.
            let big = task::fork(move || writer.write(&vec![7u8; 16 << 20], FrameType::Binary));
            while let Ok(message) = sock.read_message() {
                match message {
                    Message::Ping(_) => seen.set(seen.get() + 1),
                    _ => break,
                }
            }
            big.join().unwrap().unwrap();
        });
        let conn = open(server.local_addr(), "/");
        time::sleep(Duration::from_millis(200));
        for i in 0..PINGS {
            conn.write_all(&frame(true, 0, 9, &i.to_be_bytes(), Some(MASK)))
                .unwrap();
        }
        while pings_read.get() < PINGS {
            time::sleep(Duration::from_millis(10));
        }
        // Now read: the message, and the pongs that went out before it was
        // stuck, between its fragments, or after it.
        let (mut data, mut pongs) = (0, Vec::new());
        while data < 16 << 20 {
            let (_, opcode, payload, _) = read_frame(&conn).expect("a frame");
            match opcode {
                0 | 2 => data += payload.len(),
                0xA => pongs.push(u32::from_be_bytes(payload[..4].try_into().unwrap())),
                other => panic!("opcode {other}"),
            }
        }
        // The pong for the latest ping may still follow the message.
        if pongs.last() != Some(&(PINGS - 1)) {
            let (_, opcode, payload, _) = read_frame(&conn).expect("the last pong");
            assert_eq!(opcode, 0xA);
            pongs.push(u32::from_be_bytes(payload[..4].try_into().unwrap()));
        }
        assert_eq!(
            pongs.last(),
            Some(&(PINGS - 1)),
            "the latest ping is answered"
        );
        assert!(pongs.windows(2).all(|w| w[0] < w[1]), "{pongs:?}");
        assert!(pongs.len() < 10, "{} pongs for {PINGS} pings", pongs.len());
        conn.write_all(&frame(true, 0, 8, &1000u16.to_be_bytes(), Some(MASK)))
            .unwrap();
    });
}

/// Resets the connection: SO_LINGER 0, then close.
fn reset(conn: silly::net::tcp::TcpStream) {
    socket2::SockRef::from(&conn)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(conn);
}

#[test]
fn a_reset_closes_a_reading_socket() {
    silly::run(|| {
        let (tx, rx) = silly::sync::channel();

        let server = server(move |sock| {
            let read = sock.read_message();

            let _ = tx.send((
                format!("{read:?}"),
                sock.is_closed(),
                sock.write(b"x", FrameType::Text).is_err(),
            ));
        });
        let conn = open(server.local_addr(), "/");
        time::sleep(Duration::from_millis(50));
        reset(conn);
        let (read, closed, write_fails) = rx.recv().unwrap();
        assert!(read.contains("Err"), "{read}");
        assert!(closed, "is_closed after a reset ({read})");
        assert!(write_fails);
    });
}

#[test]
fn a_reset_closes_a_writing_socket() {
    silly::run(|| {
        let (tx, rx) = silly::sync::channel();

        let server = server(move |sock| {
            // No reader: only the stuck write learns of the reset.
            let wrote = sock.write(&vec![1u8; 16 << 20], FrameType::Binary);

            let _ = tx.send((
                format!("{wrote:?}"),
                sock.is_closed(),
                format!("{:?}", sock.write(b"x", FrameType::Text)),
            ));
        });
        let conn = open(server.local_addr(), "/");
        time::sleep(Duration::from_millis(200));
        reset(conn);
        let (wrote, closed, next) = rx.recv().unwrap();
        assert!(wrote.contains("Err"), "{wrote}");
        assert!(closed, "is_closed after a reset ({wrote})");
        assert!(next.contains("Aborted"), "later writes say why: {next}");
    });
}
