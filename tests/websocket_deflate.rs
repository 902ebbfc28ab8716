//! permessage-deflate (RFC 7692) through real sockets: our client and server
//! in each context mode, and a hand-played client for what ours never sends
//! (bombs, misplaced RSV1, compressed invalid text).

mod util;

use flate2::{Compress, Decompress, FlushCompress, FlushDecompress};
use silly::net::http;
use silly::net::tcp::TcpStream;
use silly::net::websocket::{self, code, Compression, Config, Error, FrameType, PreparedMessage};
use util::ws::{frame, open_raw_with, read_frame, MASK};

fn json(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"id\":{i},\"name\":\"user{}\",\"online\":true}},",
                i % 13
            )
        })
        .collect()
}

fn modes() -> [Compression; 3] {
    [
        Compression::shared(),
        Compression::per_connection(),
        Compression::per_connection().window_bits(10).threshold(0),
    ]
}

#[test]
fn our_client_and_server_agree_and_echo_in_every_mode() {
    silly::run(|| {
        for mode in modes() {
            let config = Config::default()
                .compression(Some(mode))
                .fragment_size(1000);
            let server = util::ws::echo_server_with(config.clone());
            let url = format!("ws://{}/", server.local_addr());
            let sock = websocket::connect_with(&url, &[], config).unwrap();
            assert!(sock.is_compressed(), "{mode:?}");
            for size in [0, 1, 63, 64, 200, 5000, 100_000] {
                let text = json(size / 30 + 1)[..size].to_owned();
                sock.write(text.as_bytes(), FrameType::Text).unwrap();
                assert_eq!(
                    sock.read().unwrap(),
                    (text.into_bytes(), FrameType::Text),
                    "{mode:?} {size}"
                );
                let binary: Vec<u8> = (0..size).map(|i| (i * 7 % 256) as u8).collect();
                sock.write(&binary, FrameType::Binary).unwrap();
                assert_eq!(sock.read().unwrap(), (binary, FrameType::Binary));
            }
            sock.close().unwrap();
            server.close();
        }
    });
}

#[test]
fn compression_is_only_where_both_sides_want_it() {
    silly::run(|| {
        let plain = util::ws::echo_server();
        let url = format!("ws://{}/", plain.local_addr());
        let on = Config::default().compression(Some(Compression::shared()));
        let sock = websocket::connect_with(&url, &[], on.clone()).unwrap();
        assert!(!sock.is_compressed(), "the server did not enable it");
        sock.write(json(20).as_bytes(), FrameType::Text).unwrap();
        assert_eq!(sock.read().unwrap().0, json(20).into_bytes());
        plain.close();

        let compressing = util::ws::echo_server_with(on);
        let url = format!("ws://{}/", compressing.local_addr());
        let sock = websocket::connect(&url, &[]).unwrap();
        assert!(!sock.is_compressed(), "the client did not offer it");
        sock.write(json(20).as_bytes(), FrameType::Text).unwrap();
        assert_eq!(sock.read().unwrap().0, json(20).into_bytes());
        compressing.close();
    });
}

/// A raw client with `offer`, against a compressing echo server; returns
/// the connection and the server's `Sec-WebSocket-Extensions` answer.
fn raw_client(addr: std::net::SocketAddr, offer: &str) -> (TcpStream, Option<String>) {
    let (conn, head) =
        open_raw_with(addr, "/", &format!("Sec-WebSocket-Extensions: {offer}\r\n")).unwrap();
    let answer = head
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Extensions: "))
        .map(str::to_owned);
    (conn, answer)
}

fn compress(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(flate2::Compression::new(9), false);
    let mut out = Vec::with_capacity(data.len() + 64);
    loop {
        let at = c.total_in() as usize;
        c.compress_vec(&data[at..], &mut out, FlushCompress::Sync)
            .unwrap();
        if c.total_in() as usize == data.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity());
    }
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out.truncate(out.len() - 4);
    out
}

fn inflate(data: &[u8]) -> Vec<u8> {
    let mut d = Decompress::new(false);
    let mut input = data.to_vec();
    input.extend_from_slice(&[0, 0, 0xff, 0xff]);
    let mut out = Vec::with_capacity(1 << 20);
    d.decompress_vec(&input, &mut out, FlushDecompress::Sync)
        .unwrap();
    out
}

/// The close code of the close frame the server answers with.
fn close_code(conn: &TcpStream) -> u16 {
    loop {
        let (_, opcode, payload, _) = read_frame(conn).expect("a close frame");
        if opcode == 0x8 {
            return u16::from_be_bytes([payload[0], payload[1]]);
        }
    }
}

#[test]
fn a_browser_offer_gets_shared_mode_and_rsv1_on_compressed_frames_only() {
    silly::run(|| {
        let config = Config::default().compression(Some(Compression::shared()));
        let server = util::ws::echo_server_with(config);
        let (conn, answer) = raw_client(
            server.local_addr(),
            "permessage-deflate; client_max_window_bits",
        );
        assert_eq!(
            answer.as_deref(),
            Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        );
        let text = json(50);
        // Compressed, in two fragments: RSV1 on the first only.
        let compressed = compress(text.as_bytes());
        let (a, b) = compressed.split_at(compressed.len() / 2);
        let mut out = frame(false, 0b100, 0x1, a, Some(MASK));
        out.extend(frame(true, 0, 0x0, b, Some(MASK)));
        // And a short one uncompressed.
        out.extend(frame(true, 0, 0x1, b"hi", Some(MASK)));
        conn.write_all(&out).unwrap();
        let (fin, opcode, payload, raw) = read_frame(&conn).unwrap();
        assert!(fin && opcode == 0x1);
        assert_eq!(raw[0] & 0x70, 0x40, "RSV1: compressed");
        assert!(payload.len() < text.len() / 3);
        assert_eq!(inflate(&payload), text.as_bytes());
        let (_, _, payload, raw) = read_frame(&conn).unwrap();
        assert_eq!(raw[0] & 0x70, 0, "below the threshold: sent as is");
        assert_eq!(payload, b"hi");
        server.close();
    });
}

#[test]
fn bad_compressed_input_fails_with_the_right_code() {
    silly::run(|| {
        let max = 64 * 1024;
        let config = Config::default()
            .compression(Some(Compression::shared()))
            .max_message_bytes(max);
        let server = util::ws::echo_server_with(config);
        let addr = server.local_addr();
        let offer = "permessage-deflate";
        // A bomb: 16 MiB of zeros in a few KiB closes with 1009.
        let bomb = compress(&vec![0u8; 16 << 20]);
        assert!(bomb.len() < 32 * 1024, "{}", bomb.len());
        let (conn, _) = raw_client(addr, offer);
        conn.write_all(&frame(true, 0b100, 0x2, &bomb, Some(MASK)))
            .unwrap();
        assert_eq!(close_code(&conn), code::MESSAGE_TOO_BIG);
        // Compressed invalid UTF-8: 1007.
        let (conn, _) = raw_client(addr, offer);
        let bad = compress(&[b'a', 0xc3, 0x28, b'b']);
        conn.write_all(&frame(true, 0b100, 0x1, &bad, Some(MASK)))
            .unwrap();
        assert_eq!(close_code(&conn), code::INVALID_PAYLOAD);
        // Data that does not inflate: 1007.
        let (conn, _) = raw_client(addr, offer);
        conn.write_all(&frame(true, 0b100, 0x2, &[0xff; 8], Some(MASK)))
            .unwrap();
        assert_eq!(close_code(&conn), code::INVALID_PAYLOAD);
        // RSV1 on a continuation or a control frame: 1002.
        let (conn, _) = raw_client(addr, offer);
        let mut out = frame(false, 0b100, 0x1, &compress(b"abc"), Some(MASK));
        out.extend(frame(true, 0b100, 0x0, b"", Some(MASK)));
        conn.write_all(&out).unwrap();
        assert_eq!(close_code(&conn), code::PROTOCOL_ERROR);
        let (conn, _) = raw_client(addr, offer);
        conn.write_all(&frame(true, 0b100, 0x9, b"", Some(MASK)))
            .unwrap();
        assert_eq!(close_code(&conn), code::PROTOCOL_ERROR);
        // Without the extension, RSV1 is a protocol error as before.
        let (conn, answer) = raw_client(addr, "x-unknown");
        assert_eq!(answer, None);
        conn.write_all(&frame(true, 0b100, 0x1, &compress(b"abc"), Some(MASK)))
            .unwrap();
        assert_eq!(close_code(&conn), code::PROTOCOL_ERROR);
        server.close();
    });
}

#[test]
fn the_client_fails_a_response_it_cannot_accept() {
    silly::run(|| {
        for answer in [
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; unknown",
            "x-unknown",
        ] {
            let server = http::listen("127.0.0.1:0", move |stream| {
                let key = stream.header("sec-websocket-key").unwrap_or("").to_owned();
                let accept = websocket::accept_key(key.trim());
                let _ = stream.respond(
                    101,
                    &[
                        ("Upgrade", "websocket"),
                        ("Connection", "Upgrade"),
                        ("Sec-WebSocket-Accept", accept.as_str()),
                        ("Sec-WebSocket-Extensions", answer),
                    ],
                );
                let _ = stream.upgrade();
            })
            .unwrap();
            let addr = server.local_addr();
            let config = Config::default().compression(Some(Compression::per_connection()));
            let url = format!("ws://{addr}/");
            match websocket::connect_with(&url, &[], config) {
                Err(Error::Handshake(_)) => {}
                other => panic!("{answer}: {other:?}"),
            }
            server.close();
        }
    });
}

#[test]
fn a_prepared_message_reaches_every_kind_of_socket() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let url = format!("ws://{}/", server.local_addr());
        // Our clients in each mode and one without compression, against an
        // echo server: what they send prepared comes back whole.
        let mut configs: Vec<Config> = modes()
            .into_iter()
            .map(|mode| Config::default().compression(Some(mode)))
            .collect();
        configs.push(Config::default());
        let on = util::ws::echo_server_with(configs[0].clone());
        let on_url = format!("ws://{}/", on.local_addr());
        let sockets: Vec<_> = configs
            .into_iter()
            .flat_map(|c| {
                [
                    websocket::connect_with(&on_url, &[], c.clone()).unwrap(),
                    websocket::connect_with(&url, &[], c).unwrap(),
                ]
            })
            .collect();
        for text in [json(100), "short".to_owned()] {
            let msg = PreparedMessage::new(text.clone().into_bytes(), FrameType::Text).unwrap();
            for sock in &sockets {
                sock.write_prepared(&msg).unwrap();
            }
            for sock in &sockets {
                assert_eq!(
                    sock.read().unwrap(),
                    (text.clone().into_bytes(), FrameType::Text)
                );
            }
        }
        assert!(matches!(
            PreparedMessage::new(vec![0xff], FrameType::Text),
            Err(Error::InvalidUtf8)
        ));
        server.close();
        on.close();
    });
}
