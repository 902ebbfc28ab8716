//! Interop with a third-party implementation: tungstenite (sync API, on its own
//! thread) as client against our server, and as server against our client.

mod util;

use std::net::TcpListener as StdListener;
use std::thread;

use tungstenite::protocol::frame::coding::{Data, OpCode};
use tungstenite::protocol::frame::Frame;
use tungstenite::{Error as TError, Message};

use silly::net::websocket::{self, FrameType};

#[test]
fn tungstenite_client_against_our_server() {
    silly::run(|| {
        let server = util::ws::echo_server();
        let url = format!("ws://{}/interop", server.local_addr());
        let peer = silly::task::spawn_blocking(move || -> Result<(), String> {
            let (mut ws, response) =
                tungstenite::connect(url.as_str()).map_err(|e| e.to_string())?;
            assert_eq!(response.status(), 101);
            ws.send(Message::text("hello from tungstenite")).unwrap();
            assert_eq!(ws.read().unwrap(), Message::text("hello from tungstenite"));
            for size in [0usize, 125, 126, 65535, 65536, 1 << 20] {
                let data: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
                ws.send(Message::binary(data.clone())).unwrap();
                // Our server fragments what is 64 KiB or more; tungstenite reassembles.
                assert_eq!(ws.read().unwrap(), Message::binary(data), "size {size}");
            }
            // A fragmented text message from tungstenite, with a ping in the middle.
            ws.write(Message::Frame(Frame::message(
                "frag",
                OpCode::Data(Data::Text),
                false,
            )))
            .unwrap();
            ws.write(Message::Ping(b"in between".to_vec().into()))
                .unwrap();
            ws.write(Message::Frame(Frame::message(
                "mented",
                OpCode::Data(Data::Continue),
                true,
            )))
            .unwrap();
            ws.flush().unwrap();
            let mut got_pong = false;
            loop {
                match ws.read().unwrap() {
                    Message::Pong(p) => {
                        assert_eq!(&p[..], b"in between");
                        got_pong = true;
                    }
                    Message::Text(t) => {
                        assert_eq!(t.as_str(), "fragmented");
                        break;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(got_pong);
            // Close handshake started by tungstenite: our server echoes the close.
            ws.close(None).unwrap();
            loop {
                match ws.read() {
                    Ok(Message::Close(_)) => {}
                    Ok(other) => panic!("unexpected {other:?}"),
                    Err(TError::ConnectionClosed) => return Ok(()),
                    Err(e) => return Err(format!("unclean close: {e}")),
                }
            }
        });
        peer.unwrap();
        server.close();
    });
}

#[test]
fn our_client_against_tungstenite_server() {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = thread::spawn(move || -> Result<Vec<String>, String> {
        let (stream, _) = listener.accept().map_err(|e| e.to_string())?;
        let mut ws = tungstenite::accept(stream).map_err(|e| e.to_string())?;
        let mut log = Vec::new();
        loop {
            match ws.read() {
                Ok(Message::Text(t)) => {
                    log.push(format!("text {}", t.len()));
                    ws.send(Message::Text(t)).unwrap();
                }
                Ok(Message::Binary(b)) => {
                    log.push(format!("binary {}", b.len()));
                    ws.send(Message::Binary(b)).unwrap();
                }
                Ok(Message::Ping(_)) => log.push("ping".into()),
                Ok(Message::Close(frame)) => {
                    log.push(format!("close {:?}", frame.map(|f| u16::from(f.code))));
                }
                Ok(_) => {}
                Err(TError::ConnectionClosed) => return Ok(log),
                Err(e) => return Err(format!("tungstenite server: {e}")),
            }
        }
    });
    silly::run(move || {
        let sock = websocket::connect(&format!("ws://{addr}/"), &[]).unwrap();
        sock.write("ünïcödé".as_bytes(), FrameType::Text).unwrap();
        assert_eq!(
            sock.read().unwrap(),
            ("ünïcödé".as_bytes().to_vec(), FrameType::Text)
        );
        let big: Vec<u8> = (0..(1 << 20)).map(|i| (i % 7) as u8).collect();
        sock.write(&big, FrameType::Binary).unwrap(); // sent as 16 fragments
        assert_eq!(sock.read().unwrap(), (big, FrameType::Binary));
        sock.write(b"ping", FrameType::Ping).unwrap();
        assert_eq!(sock.read().unwrap(), (b"ping".to_vec(), FrameType::Pong));
        sock.close().unwrap();
        assert_eq!(sock.peer_close().map(|(c, _)| c), Some(1000));
    });
    let log = peer.join().unwrap().unwrap();
    assert_eq!(
        log,
        ["text 11", "binary 1048576", "ping", "close Some(1000)"]
    );
}
