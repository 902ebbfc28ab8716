//! Raw frames against the server: each protocol rule of RFC 6455 the issue
//! lists, without Autobahn, so a regression shows up in `cargo test`.

mod util;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, FrameType};
use util::ws::{frame, open, read_frame, MASK};

fn text(fin: bool, payload: &[u8]) -> Vec<u8> {
    frame(fin, 0, 1, payload, Some(MASK))
}

/// Sends `frames`, answers the server's close with ours, and returns the close
/// code the server sent (None if it closed without one).
fn close_code_after(addr: std::net::SocketAddr, frames: &[Vec<u8>]) -> Option<u16> {
    let conn = open(addr, "/");
    for f in frames {
        if conn.write_all(f).is_err() {
            break;
        }
    }
    while let Some((_, opcode, payload, _)) = read_frame(&conn) {
        if opcode == 8 {
            let _ = conn.write_all(&frame(true, 0, 8, &payload, Some(MASK)));
            return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
        }
    }
    None
}

#[test]
fn framing_violations_close_with_1002() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
            (
                "unmasked client frame",
                vec![frame(true, 0, 1, b"hi", None)],
            ),
            ("RSV1 set", vec![frame(true, 4, 1, b"hi", Some(MASK))]),
            ("RSV3 set", vec![frame(true, 1, 2, b"hi", Some(MASK))]),
            (
                "reserved data opcode",
                vec![frame(true, 0, 3, b"", Some(MASK))],
            ),
            (
                "reserved control opcode",
                vec![frame(true, 0, 0xB, b"", Some(MASK))],
            ),
            (
                "ping over 125 bytes",
                vec![frame(true, 0, 9, &[b'p'; 126], Some(MASK))],
            ),
            (
                "fragmented ping",
                vec![frame(false, 0, 9, b"p", Some(MASK))],
            ),
            (
                "continuation without start",
                vec![frame(true, 0, 0, b"x", Some(MASK))],
            ),
            (
                "text inside a fragmented message",
                vec![text(false, b"a"), text(true, b"b")],
            ),
            (
                "one-byte close payload",
                vec![frame(true, 0, 8, &[3], Some(MASK))],
            ),
            (
                "64-bit length with the top bit set",
                vec![[&[0x82, 0xFF][..], &[0xFF; 8], &MASK].concat()],
            ),
            (
                "64-bit length with the top bit set, and bytes behind it",
                vec![[&[0x82, 0xFF][..], &[0xFF; 8], &MASK, b"abcd"].concat()],
            ),
        ];
        for (name, frames) in cases {
            assert_eq!(close_code_after(addr, &frames), Some(1002), "{name}");
        }
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            let f = frame(true, 0, 8, &code.to_be_bytes(), Some(MASK));
            assert_eq!(
                close_code_after(addr, &[f]),
                Some(1002),
                "close code {code}"
            );
        }
        server.close();
    });
}

#[test]
fn valid_close_codes_are_echoed_and_data_after_close_ignored() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        for code in [1000u16, 1001, 1003, 1007, 1011, 3000, 4999] {
            let conn = open(addr, "/");
            let mut payload = code.to_be_bytes().to_vec();
            payload.extend_from_slice(b"bye");
            conn.write_all(&frame(true, 0, 8, &payload, Some(MASK)))
                .unwrap();
            conn.write_all(&text(true, b"after close")).unwrap();
            let (_, opcode, reply, _) = read_frame(&conn).unwrap();
            assert_eq!(
                (opcode, &reply[..]),
                (8, &code.to_be_bytes()[..]),
                "code {code} echoed"
            );
            assert!(
                read_frame(&conn).is_none(),
                "nothing after the close; the server closes TCP"
            );
        }
        server.close();
    });
}

#[test]
fn utf8_is_checked_as_it_arrives_and_across_fragments() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        // "κόσμε" split inside its code points across three fragments.
        let word = "κόσμε".as_bytes();
        let conn = open(addr, "/");
        conn.write_all(&text(false, &word[..1])).unwrap();
        conn.write_all(&frame(false, 0, 0, &word[1..6], Some(MASK)))
            .unwrap();
        conn.write_all(&frame(true, 0, 0, &word[6..], Some(MASK)))
            .unwrap();
        let (fin, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((fin, opcode, &payload[..]), (true, 1, word));

        // An invalid first fragment fails at once: the message never finishes.
        let invalid = [
            0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80,
        ];
        assert_eq!(close_code_after(addr, &[text(false, &invalid)]), Some(1007));
        assert_eq!(
            close_code_after(addr, &[text(true, &[0xF0, 0x9F, 0x98])]),
            Some(1007),
            "cut at the end"
        );
        let mut bad_reason = 1000u16.to_be_bytes().to_vec();
        bad_reason.push(0xFF);
        assert_eq!(
            close_code_after(addr, &[frame(true, 0, 8, &bad_reason, Some(MASK))]),
            Some(1007)
        );
        server.close();
    });
}

/// A text frame that arrives in several reads: the pieces before the last are
/// checked as they come, the last with the whole message (see `read_message`).
#[test]
fn text_frames_cut_across_reads_inside_code_points() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        let word = "κόσμε🦀".repeat(1000);
        // Cut points inside code points: 2-byte, and 4-byte, sequences.
        let valid = text(true, word.as_bytes());
        let cuts = [5, 7_001, valid.len() - 3];
        let conn = open(addr, "/");
        let mut from = 0;
        for to in cuts.into_iter().chain([valid.len()]) {
            conn.write_all(&valid[from..to]).unwrap();
            from = to;
            silly::time::sleep(Duration::from_millis(20));
        }
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!(opcode, 1);
        assert!(payload == word.as_bytes(), "text intact");

        // An invalid byte in the last piece: 1007 once it arrives.
        let mut bad = word.clone().into_bytes();
        *bad.last_mut().unwrap() = 0xFF;
        let bad = text(true, &bad);
        let conn = open(addr, "/");
        conn.write_all(&bad[..bad.len() - 10]).unwrap();
        silly::time::sleep(Duration::from_millis(20));
        conn.write_all(&bad[bad.len() - 10..]).unwrap();
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, &payload[..2]), (8, &1007u16.to_be_bytes()[..]));

        // An invalid byte in the first piece of a long frame: 1007 at once,
        // while the rest of the frame has not come.
        let mut early = word.into_bytes();
        early[1] = 0xFF;
        let early = text(true, &early);
        let conn = open(addr, "/");
        conn.write_all(&early[..100]).unwrap();
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, &payload[..2]), (8, &1007u16.to_be_bytes()[..]));
        server.close();
    });
}

#[test]
fn control_frames_inside_a_fragmented_message() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let conn = open(server.local_addr(), "/");
        conn.write_all(&text(false, b"frag1 ")).unwrap();
        conn.write_all(&frame(true, 0, 9, b"ping!", Some(MASK)))
            .unwrap();
        conn.write_all(&frame(false, 0, 0, b"frag2 ", Some(MASK)))
            .unwrap();
        conn.write_all(&frame(true, 0, 0xA, b"unsolicited pong", Some(MASK)))
            .unwrap();
        conn.write_all(&frame(true, 0, 0, b"frag3", Some(MASK)))
            .unwrap();
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!(
            (opcode, &payload[..]),
            (0xA, &b"ping!"[..]),
            "the ping is answered first"
        );
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!(
            (opcode, &payload[..]),
            (1, &b"frag1 frag2 frag3"[..]),
            "and the message reassembles"
        );
        server.close();
    });
}

#[test]
fn lengths_are_minimally_encoded_and_large_messages_fragmented() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let conn = open(server.local_addr(), "/");
        for (len, header_len) in [(125usize, 2usize), (126, 4), (65535, 4)] {
            conn.write_all(&frame(true, 0, 2, &vec![7u8; len], Some(MASK)))
                .unwrap();
            let (fin, _, payload, raw) = read_frame(&conn).unwrap();
            assert!(fin);
            assert_eq!(
                (payload.len(), raw.len()),
                (len, header_len),
                "length {len}"
            );
        }
        // 64 KiB and more is sent in 64 KiB fragments.
        conn.write_all(&frame(true, 0, 2, &vec![1u8; 150_000], Some(MASK)))
            .unwrap();
        let mut sizes = Vec::new();
        loop {
            let (fin, opcode, payload, _) = read_frame(&conn).unwrap();
            sizes.push((opcode, payload.len()));
            if fin {
                break;
            }
        }
        assert_eq!(sizes, [(2, 65536), (0, 65536), (0, 150_000 - 131_072)]);
        server.close();
    });
}

#[test]
fn message_and_frame_limits_close_with_1009() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let config = websocket::Config::default()
                .max_message_bytes(1000)
                .max_frame_bytes(800);
            let Ok(sock) = websocket::upgrade_with(stream, config) else {
                return;
            };
            while let Ok((data, kind)) = sock.read() {
                if matches!(kind, FrameType::Text | FrameType::Binary) {
                    let _ = sock.write(&data, kind);
                }
            }
        })
        .unwrap();
        let addr = server.local_addr();
        // Frame limit: 800 passes, 801 fails.
        let conn = open(addr, "/");
        conn.write_all(&frame(true, 0, 2, &[0u8; 800], Some(MASK)))
            .unwrap();
        assert_eq!(read_frame(&conn).unwrap().2.len(), 800);
        assert_eq!(
            close_code_after(addr, &[frame(true, 0, 2, &[0u8; 801], Some(MASK))]),
            Some(1009)
        );
        // Message limit across fragments: 1000 passes, 1001 fails.
        let ok = [
            frame(false, 0, 2, &[0u8; 600], Some(MASK)),
            frame(true, 0, 0, &[0u8; 400], Some(MASK)),
        ];
        let conn = open(addr, "/");
        for f in &ok {
            conn.write_all(f).unwrap();
        }
        assert_eq!(read_frame(&conn).unwrap().2.len(), 1000);
        let too_big = [
            frame(false, 0, 2, &[0u8; 600], Some(MASK)),
            frame(true, 0, 0, &[0u8; 401], Some(MASK)),
        ];
        assert_eq!(close_code_after(addr, &too_big), Some(1009));
        // The same, each message's frames arriving in one read.
        let conn = open(addr, "/");
        conn.write_all(&ok.concat()).unwrap();
        assert_eq!(read_frame(&conn).unwrap().2.len(), 1000);
        assert_eq!(close_code_after(addr, &[too_big.concat()]), Some(1009));
        let frame_over = [
            frame(true, 0, 2, &[0u8; 10], Some(MASK)),
            frame(true, 0, 2, &[0u8; 801], Some(MASK)),
        ];
        assert_eq!(close_code_after(addr, &[frame_over.concat()]), Some(1009));
        server.close();
    });
}

#[test]
fn close_gives_up_on_a_peer_that_never_answers() {
    silly::run(|| {
        let (tx, rx) = silly::sync::channel();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let config =
                websocket::Config::default().close_timeout(Some(Duration::from_millis(200)));
            let sock = websocket::upgrade_with(stream, config).unwrap();
            let started = std::time::Instant::now();
            sock.close().unwrap();
            tx.send(started.elapsed()).unwrap();
        })
        .unwrap();
        let conn = open(server.local_addr(), "/");
        // Read the server's close frame, never answer it.
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, &payload[..]), (8, &1000u16.to_be_bytes()[..]));
        let waited = rx.recv().unwrap();
        assert!(
            waited >= Duration::from_millis(200),
            "waited for the peer's close: {waited:?}"
        );
        assert!(
            read_frame(&conn).is_none(),
            "then the server closed the connection"
        );
        assert_eq!(FrameType::default(), FrameType::Binary);
        server.close();
    });
}

#[test]
fn read_timeout_is_an_idle_timeout_the_connection_survives() {
    silly::run(|| {
        let (tx, rx) = silly::sync::channel();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let config =
                websocket::Config::default().read_timeout(Some(Duration::from_millis(100)));
            let sock = websocket::upgrade_with(stream, config).unwrap();
            let mut timeouts = 0;
            loop {
                match sock.read() {
                    Err(e) if e.is_timeout() && timeouts < 100 => {
                        assert!(matches!(&e, websocket::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut));
                        timeouts += 1
                    }
                    other => {
                        tx.send((
                            timeouts,
                            other.map(|(data, _)| data).map_err(|e| e.to_string()),
                        ))
                        .unwrap();
                        return;
                    }
                }
            }
        })
        .unwrap();
        let conn = open(server.local_addr(), "/");
        // Half a message before the timeout, the rest after: nothing is lost.
        conn.write_all(&text(false, b"hel")).unwrap();
        silly::time::sleep(Duration::from_millis(250));
        conn.write_all(&frame(true, 0, 0, b"lo", Some(MASK)))
            .unwrap();
        let (timeouts, message) = rx.recv().unwrap();
        assert!(timeouts >= 1, "the idle reads timed out");
        assert_eq!(
            message.as_deref(),
            Ok(&b"hello"[..]),
            "and the message survived them"
        );
        server.close();
    });
}

/// Frames that arrive in one read take a shortcut into the message (the payload
/// is copied once, straight from the read); frames cut across reads go through
/// the frame buffer. Both must give the same messages, in order.
#[test]
fn frames_together_in_one_read_or_cut_across_reads() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        let conn = open(addr, "/");
        // A fragmented message with a ping inside, then two whole messages: one write.
        let together = [
            text(false, b"frag1 "),
            frame(true, 0, 9, b"ping!", Some(MASK)),
            frame(false, 0, 0, b"frag2 ", Some(MASK)),
            frame(true, 0, 0, b"frag3", Some(MASK)),
            frame(true, 0, 2, &[1, 2, 3], Some(MASK)),
            text(true, b"whole"),
        ]
        .concat();
        conn.write_all(&together).unwrap();
        let mut got = Vec::new();
        for _ in 0..4 {
            let (fin, opcode, payload, _) = read_frame(&conn).unwrap();
            assert!(fin);
            got.push((opcode, payload));
        }
        let expected: Vec<(u8, Vec<u8>)> = vec![
            (0xA, b"ping!".to_vec()),
            (1, b"frag1 frag2 frag3".to_vec()),
            (2, vec![1, 2, 3]),
            (1, b"whole".to_vec()),
        ];
        assert_eq!(got, expected);

        // A large frame cut inside its header, then inside its payload, with a
        // whole small frame riding behind it.
        let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let stream = [frame(true, 0, 2, &big, Some(MASK)), text(true, b"after")].concat();
        for piece in [&stream[..3], &stream[3..10_000], &stream[10_000..]] {
            conn.write_all(piece).unwrap();
            silly::time::sleep(Duration::from_millis(20));
        }
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, payload.len()), (2, big.len()));
        assert!(payload == big, "payload intact");
        let (_, opcode, payload, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, &payload[..]), (1, &b"after"[..]));

        // Rules still apply to frames read together: invalid UTF-8 in a whole
        // text frame behind a valid one.
        let bad = [text(true, b"fine"), text(true, &[0xC3, 0x28])].concat();
        assert_eq!(close_code_after(addr, &[bad]), Some(1007));
        // And a continuation frame with no message to continue.
        let orphan = [
            frame(true, 0, 2, b"ok", Some(MASK)),
            frame(true, 0, 0, b"x", Some(MASK)),
        ]
        .concat();
        assert_eq!(close_code_after(addr, &[orphan]), Some(1002));
        server.close();
    });
}

/// RFC 6455, section 7.1.1: once both close frames have passed, the server
/// closes TCP first. A server that fails a text frame early (invalid UTF-8 in
/// its first bytes) and gets the peer's close before the rest of the frame
/// (Autobahn cases 6.4.3-4) must see that close and close TCP then, not wait
/// for payload that will never come.
#[test]
fn a_frame_failed_early_then_the_peers_close_ends_the_connection_at_once() {
    silly::run(|| {
        let (tx, rx) = silly::sync::channel();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade(stream).unwrap();
            let result = sock.read().map(|(data, _)| data);
            tx.send((result.map_err(|e| e.to_string()), sock.peer_close()))
                .unwrap();
        })
        .unwrap();
        let conn = open(server.local_addr(), "/");
        // Valid text, then U+110000 (out of range), then text the server never gets.
        let payload = [
            &[
                0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5,
            ][..],
            &[0xF4, 0x90, 0x80, 0x80],
            b"edited",
        ]
        .concat();
        let whole = text(true, &payload);
        let sent = whole.len() - b"edited".len();
        conn.write_all(&whole[..sent]).unwrap();
        let (_, opcode, reply, _) = read_frame(&conn).unwrap();
        assert_eq!((opcode, &reply[..2]), (8, &1007u16.to_be_bytes()[..]));
        assert_eq!(
            &reply[2..],
            b"text message is not valid UTF-8",
            "the reason"
        );
        conn.write_all(&frame(true, 0, 8, &1000u16.to_be_bytes(), Some(MASK)))
            .unwrap();
        // The server's close timeout is 5 s: 2 s tell closing at once from
        // closing when it expires.
        conn.set_read_timeout(Some(Duration::from_secs(2)));
        let mut byte = [0u8; 1];
        assert_eq!(
            conn.read(&mut byte).map_err(|e| e.kind()),
            Ok(0),
            "the server closed TCP"
        );
        let (result, peer_close) = rx.recv().unwrap();
        assert_eq!(
            result.unwrap_err(),
            "websocket: protocol error (1007): text message is not valid UTF-8"
        );
        assert_eq!(
            peer_close,
            Some((1000, String::new())),
            "our close was seen"
        );
        server.close();
    });
}
