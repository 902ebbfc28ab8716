//! The seed document's scenarios, through real sockets.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, Config};
use silly::net::tls;
use silly::net::websocket::{self, code, Error, FrameType, Message, Socket};
use silly::sync;
use silly::task;
use util::pki::Ca;

#[test]
fn echo_text_binary_and_every_size() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let sock = websocket::connect(&format!("ws://{}/echo", server.local_addr()), &[]).unwrap();
        sock.write("héllo wörld ✓".as_bytes(), FrameType::Text)
            .unwrap();
        assert_eq!(
            sock.read().unwrap(),
            ("héllo wörld ✓".as_bytes().to_vec(), FrameType::Text)
        );
        for size in [0usize, 1, 125, 126, 127, 65535, 65536, 1 << 20] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            sock.write(&data, FrameType::Binary).unwrap();
            let (got, kind) = sock.read().unwrap();
            assert_eq!(kind, FrameType::Binary);
            assert!(got == data, "size {size}");
        }
        sock.close().unwrap();
        assert!(sock.is_closed());
        assert!(matches!(sock.read(), Err(Error::Closed)));
        assert!(matches!(
            sock.write(b"x", FrameType::Text),
            Err(Error::Closed)
        ));
        server.close();
    });
}

#[test]
fn ping_pong_and_peer_close_code() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let sock = websocket::upgrade(stream).unwrap();
            sock.write(b"are you there", FrameType::Ping).unwrap();
            // Our ping is answered automatically by the client's read loop.
            loop {
                match sock.read() {
                    Ok((data, FrameType::Pong)) => {
                        assert_eq!(data, b"are you there");
                        sock.close_with(4000, "done").unwrap();
                        return;
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{e}"),
                }
            }
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        sock.write(b"p", FrameType::Ping).unwrap();
        let mut seen = Vec::new();
        loop {
            let (data, kind) = sock.read().unwrap();
            seen.push(kind);
            if kind == FrameType::Close {
                assert_eq!(&data[..2], &4000u16.to_be_bytes());
                assert_eq!(&data[2..], b"done");
                break;
            }
        }
        assert!(
            seen.contains(&FrameType::Ping),
            "pings are returned too: {seen:?}"
        );
        assert_eq!(sock.peer_close(), Some((4000, "done".to_owned())));
        assert!(sock.is_closed());
        server.close();
    });
}

#[test]
fn read_message_gives_text_as_a_string_and_close_as_code_and_reason() {
    silly::run(|| {
        // The server answers each message with what `read_message` made of it.
        let server = http::listen("127.0.0.1:0", |stream| {
            let sock = websocket::upgrade(stream).unwrap();
            loop {
                let reply = match sock.read_message().unwrap() {
                    Message::Text(text) => format!("text {} chars: {text}", text.chars().count()),
                    Message::Binary(data) => format!("binary {data:?}"),
                    Message::Ping(data) => format!("ping {data:?}"),
                    Message::Pong(data) => format!("pong {data:?}"),
                    Message::Close(close) => panic!("the client closed first: {close:?}"),
                };
                sock.write(reply.as_bytes(), FrameType::Text).unwrap();
                if reply.ends_with("bye") {
                    sock.close_with(4001, "done, é").unwrap();
                    return;
                }
            }
        })
        .unwrap();
        // Small enough to be fragmented: the code points are cut between fragments.
        let config = websocket::Config::default().fragment_size(3);
        let url = format!("ws://{}/", server.local_addr());
        let sock = websocket::connect_with(&url, &[], config).unwrap();
        let mut replies = Vec::new();
        for (data, kind) in [
            ("κόσμε 🦀".as_bytes(), FrameType::Text),
            (&[1, 2, 3][..], FrameType::Binary),
            (b"hi", FrameType::Ping),
            (b"bye", FrameType::Text),
        ] {
            sock.write(data, kind).unwrap();
            loop {
                match sock.read_message().unwrap() {
                    Message::Text(text) => break replies.push(text),
                    Message::Pong(data) => assert_eq!(data, b"hi", "the auto-pong"),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(
            replies,
            [
                "text 7 chars: κόσμε 🦀",
                "binary [1, 2, 3]",
                "ping [104, 105]",
                "text 3 chars: bye",
            ]
        );
        let close = sock.read_message().unwrap();
        assert_eq!(close, Message::Close(Some((4001, "done, é".into()))));
        assert_eq!(close.frame_type(), FrameType::Close);
        assert_eq!(
            close.into_parts(),
            (
                [&4001u16.to_be_bytes()[..], "done, é".as_bytes()].concat(),
                FrameType::Close
            ),
            "what `read` returns for it"
        );
        assert!(sock.is_closed());
        assert!(matches!(sock.read_message(), Err(Error::Closed)));
        server.close();
    });
}

#[test]
fn broadcast_to_many_clients_with_one_writer_coroutine() {
    silly::run(|| {
        let clients: Rc<RefCell<Vec<Socket>>> = Rc::new(RefCell::new(Vec::new()));
        let (tx, rx) = sync::channel::<Vec<u8>>();
        let c = clients.clone();
        task::fork(move || {
            while let Ok(message) = rx.recv() {
                let all = c.borrow().clone();
                for sock in all {
                    let _ = sock.write(&message, FrameType::Text);
                }
            }
        });
        let c = clients.clone();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            c.borrow_mut().push(sock.clone());
            while let Ok((data, kind)) = sock.read() {
                match kind {
                    FrameType::Text => tx.send(data).unwrap(),
                    FrameType::Close => break,
                    _ => {}
                }
            }
            c.borrow_mut().retain(|s| !s.same_connection(&sock));
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let socks: Vec<Socket> = (0..20)
            .map(|_| websocket::connect(&url, &[]).unwrap())
            .collect();
        while clients.borrow().len() < 20 {
            task::yield_now();
        }
        socks[3].write(b"hello everyone", FrameType::Text).unwrap();
        for s in &socks {
            assert_eq!(
                s.read().unwrap(),
                (b"hello everyone".to_vec(), FrameType::Text)
            );
        }
        // A client that vanishes does not break the others.
        let mut socks = socks;
        drop(socks.remove(0));
        socks[0].write(b"still here", FrameType::Text).unwrap();
        for s in &socks {
            assert_eq!(s.read().unwrap(), (b"still here".to_vec(), FrameType::Text));
        }
        server.close();
    });
}

#[test]
fn fifty_concurrent_clients() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let url = format!("ws://{}/", server.local_addr());
        let clients: Vec<_> = (0..50)
            .map(|i| {
                let url = url.clone();
                task::fork(move || {
                    let sock = websocket::connect(&url, &[]).unwrap();
                    for j in 0..20 {
                        let msg = format!("client {i} message {j}");
                        sock.write(msg.as_bytes(), FrameType::Text).unwrap();
                        assert_eq!(sock.read().unwrap().0, msg.as_bytes());
                    }
                    sock.close().unwrap();
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        server.close();
    });
}

#[test]
fn abrupt_tcp_close_is_an_error_not_a_hang() {
    silly::run(|| {
        let (tx, rx) = sync::channel();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade(stream).unwrap();
            tx.send(sock.read().map(|_| ()).map_err(|e| e.to_string()))
                .unwrap();
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        drop(sock); // no close frame
        let result = rx.recv().unwrap();
        assert!(result.unwrap_err().contains("without a close frame"));
        server.close();
    });
}

#[test]
fn wss_with_a_generated_certificate_and_wss_against_plain() {
    let ca = Ca::new("ws CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_tls =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let config = websocket::Config::default()
        .tls(tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap())
        .connect_timeout(Some(Duration::from_secs(2)));
    silly::run(move || {
        let secure = http::listen_with(
            "127.0.0.1:0",
            Config::default().tls(Some(server_tls)),
            |stream| {
                let sock = websocket::upgrade(stream).unwrap();
                sock.write(b"Secure connection established", FrameType::Text)
                    .unwrap();
                let _ = sock.read();
            },
        )
        .unwrap();
        let url = format!("wss://localhost:{}/", secure.local_addr().port());
        let sock = websocket::connect_with(&url, &[], config.clone()).unwrap();
        assert_eq!(sock.read().unwrap().0, b"Secure connection established");
        assert!(sock.conn().is_tls());
        sock.close().unwrap();

        // wss:// to a plain server fails cleanly (a TLS error, no hang).
        let plain = util::ws::echo_server();
        let err = websocket::connect_with(
            &format!("wss://localhost:{}/", plain.local_addr().port()),
            &[],
            config,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Io(_)), "{err}");
        secure.close();
        plain.close();
    });
}

#[test]
fn subprotocol_origin_check_and_bad_handshakes() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let config = websocket::Config::default()
                .protocols(["chat.v2", "chat"])
                .origin_check(|origin| origin != Some("http://evil.example"));
            if let Ok(sock) = websocket::upgrade_with(stream, config) {
                let p = sock.protocol().unwrap_or("none").to_owned();
                sock.write(p.as_bytes(), FrameType::Text).unwrap();
                let _ = sock.read();
            }
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let config = websocket::Config::default().protocols(["chat"]);
        let sock = websocket::connect_with(&url, &[], config).unwrap();
        assert_eq!(sock.protocol(), Some("chat"));
        assert_eq!(sock.read().unwrap().0, b"chat");
        sock.close().unwrap();

        let err = websocket::connect(&url, &[("Origin", "http://evil.example")]).unwrap_err();
        assert!(err.to_string().contains("403"), "{err}");

        let addr = server.local_addr();
        let raw = |req: &str| util::raw_exchange(addr, req.as_bytes());
        let v12 = raw("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        assert_eq!(util::status_of(&v12), 426);
        assert!(v12.contains("Sec-WebSocket-Version: 13"), "{v12}");
        let bad_key = raw("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n");
        assert_eq!(util::status_of(&bad_key), 400);
        let no_upgrade = raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(util::status_of(&no_upgrade), 400);
        let post = raw("POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(util::status_of(&post), 400);
        let lower = raw("GET / HTTP/1.1\r\nHost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        assert!(lower.starts_with("HTTP/1.1 101"), "{lower}");
        assert!(lower.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        server.close();
    });
}

#[test]
fn client_rejects_a_wrong_accept_key() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let _ = stream.respond(
                101,
                &[
                    ("Upgrade", "websocket"),
                    ("Connection", "Upgrade"),
                    ("Sec-WebSocket-Accept", "d3JvbmcgYWNjZXB0IGtleQ=="),
                ],
            );
            let _ = stream.upgrade();
        })
        .unwrap();
        let err = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap_err();
        assert!(
            err.to_string().contains("wrong Sec-WebSocket-Accept"),
            "{err}"
        );
        let err = websocket::connect("http://example.com/", &[]).unwrap_err();
        assert!(matches!(err, Error::InvalidUrl(_)));
        server.close();
    });
}

#[test]
fn write_argument_errors() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        assert!(matches!(
            sock.write(&[0xFF], FrameType::Text),
            Err(Error::InvalidUtf8)
        ));
        assert!(matches!(
            sock.write(&[0; 126], FrameType::Ping),
            Err(Error::ControlFrameTooLarge)
        ));
        assert!(matches!(
            sock.write(b"x", FrameType::Continuation),
            Err(Error::InvalidFrameType)
        ));
        assert!(matches!(
            sock.close_with(1005, ""),
            Err(Error::InvalidCloseCode(1005))
        ));
        sock.close_with(code::GOING_AWAY, "bye").unwrap();
        assert_eq!(
            sock.peer_close().map(|(c, _)| c),
            Some(code::GOING_AWAY),
            "the server echoed our code"
        );
        server.close();
    });
}

#[test]
fn close_while_another_coroutine_reads_returns_when_that_read_ends_the_handshake() {
    silly::run(|| {
        let (tx, rx) = sync::channel();
        let server = http::listen("127.0.0.1:0", move |stream| {
            let config = websocket::Config::default().close_timeout(Some(Duration::from_secs(20)));
            let sock = websocket::upgrade_with(stream, config).unwrap();
            let (got_tx, got_rx) = sync::channel();
            let reader = {
                let sock = sock.clone();
                task::fork(move || loop {
                    match sock.read() {
                        Ok((_, FrameType::Close)) => return Ok(FrameType::Close),
                        Ok((data, _)) => got_tx.send(data).unwrap(),
                        Err(e) => return Err(e.to_string()),
                    }
                })
            };
            assert_eq!(got_rx.recv().unwrap(), b"hello");
            let started = std::time::Instant::now();
            sock.close_with(4001, "bye").unwrap();
            tx.send((
                started.elapsed(),
                reader.join().unwrap(),
                sock.peer_close(),
                sock.is_closed(),
            ))
            .unwrap();
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        sock.write(b"hello", FrameType::Text).unwrap();
        let (data, kind) = sock.read().unwrap();
        assert_eq!((kind, &data[..]), (FrameType::Close, &b"\x0f\xa1bye"[..]));
        let (waited, read, peer_close, closed) = rx.recv().unwrap();
        assert_eq!(read, Ok(FrameType::Close), "the reader got the answer");
        assert_eq!(peer_close, Some((4001, String::new())), "our code echoed");
        assert!(closed);
        assert!(
            waited < Duration::from_secs(20),
            "close returned with the reader, not at the close timeout: {waited:?}"
        );
        server.close();
    });
}
