//! The example servers with `--threads 2`: two runtimes serve one port, and
//! SIGTERM stops both (exit 0). For chat and broadcast, what a client says
//! reaches the clients of both runtimes, each sender's messages in order.

mod util;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::TcpStream;
use silly::net::websocket::{self, Message};
use silly::sync::{Notify, WaitGroup};
use util::example::Example;

const CLIENTS: usize = 20;
const MESSAGES: usize = 3;

fn stop(mut server: Example) {
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn echo_with_two_runtimes_serves_and_stops() {
    let server = Example::start("echo", &["127.0.0.1:0", "--threads", "2"]);
    let addr: std::net::SocketAddr = server.addr.parse().unwrap();
    silly::run(move || {
        let wg = WaitGroup::new();
        for i in 0..CLIENTS {
            wg.fork(move || {
                let conn = TcpStream::connect(addr).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(10)));
                let text = format!("hello {i}\n");
                conn.write_all(text.as_bytes()).unwrap();
                let mut line = String::new();
                conn.read_line(&mut line).unwrap();
                assert_eq!(line, text);
            });
        }
        wg.wait();
    });
    stop(server);
}

/// Each of 20 clients (spread over both runtimes) sends 3 numbered messages;
/// every client receives all 60, each sender's in order. Returns the chat
/// names of the clients (for the chat).
fn relay(name: &str, path: &str) -> Vec<String> {
    let server = Example::start(name, &["127.0.0.1:0", "--threads", "2"]);
    let url = format!("ws://{}{path}", server.addr);
    let chat = name == "chat";
    let names = silly::run(move || {
        let names = Rc::new(RefCell::new(Vec::new()));
        let joined = WaitGroup::new();
        joined.add(CLIENTS);
        let go = Notify::new();
        let done = WaitGroup::new();
        for i in 0..CLIENTS {
            let (url, names, joined, go) = (url.clone(), names.clone(), joined.clone(), go.clone());
            done.fork(move || {
                let sock = websocket::connect(&url, &[]).unwrap();
                if chat {
                    let Ok(Message::Text(welcome)) = sock.read_message() else {
                        panic!("no welcome");
                    };
                    let welcome: serde_json::Value = serde_json::from_str(&welcome).unwrap();
                    names
                        .borrow_mut()
                        .push(welcome["name"].as_str().unwrap().to_owned());
                }
                joined.done();
                go.wait();
                for k in 0..MESSAGES {
                    sock.write(format!("{i} {k}").as_bytes(), websocket::FrameType::Text)
                        .unwrap();
                }
                let mut next: HashMap<usize, usize> = HashMap::new();
                let mut got = 0;
                while got < CLIENTS * MESSAGES {
                    let message =
                        silly::time::timeout(Duration::from_secs(20), || sock.read_message());
                    let Ok(Ok(Message::Text(text))) = message else {
                        panic!("client {i}: {message:?} after {got} messages");
                    };
                    let text = if chat {
                        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
                        if event["kind"] != "message" {
                            continue;
                        }
                        event["text"].as_str().unwrap().to_owned()
                    } else {
                        text
                    };
                    let (from, k) = text.split_once(' ').unwrap();
                    let (from, k): (usize, usize) = (from.parse().unwrap(), k.parse().unwrap());
                    let expected = next.entry(from).or_default();
                    assert_eq!(k, *expected, "client {i}: out of order from {from}");
                    *expected += 1;
                    got += 1;
                }
            });
        }
        // The broadcast server counts a client in before answering its
        // handshake; the chat one before its welcome.
        joined.wait();
        go.notify_waiters();
        done.wait();
        Rc::try_unwrap(names).unwrap().into_inner()
    });
    stop(server);
    names
}

#[test]
fn chat_with_two_runtimes_relays_every_message_in_order() {
    let names = relay("chat", "/ws");
    // Runtime r of 2 numbers its clients r+1, r+3, ...: both served some.
    let on_runtime = |r: u64| {
        names
            .iter()
            .filter(|n| (n["user-".len()..].parse::<u64>().unwrap() - 1) % 2 == r)
            .count()
    };
    assert!(on_runtime(0) > 0 && on_runtime(1) > 0, "{names:?}");
}

#[test]
fn broadcast_with_two_runtimes_relays_every_message_in_order() {
    relay("broadcast", "/");
}
