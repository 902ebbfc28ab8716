//! The chat and broadcast examples under a burst: 1,000 clients join at once
//! and each sends one message; nobody is dropped and every client receives all
//! 1,000 messages. A client that stops reading is still dropped (close code
//! 1008), and the others never wait for it. The servers are the example
//! programs, run as child processes (each side needs its own descriptors).

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::TcpStream;
use silly::net::websocket::{self, FrameType, Message, Socket};
use silly::sync::{Notify, WaitGroup};
use silly::time;
use util::example::Example;
use util::ws::{frame, read_frame, MASK};

/// Clients in the burst.
const CLIENTS: usize = 1000;

/// Bounds each phase of a burst client (joining; receiving everyone's
/// message), so a lost message fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);

/// A bound far below the examples' 10 s write timeout: a client that keeps up
/// never waits this long for a message, unless a broadcast waited on the
/// client that stopped reading.
const NO_WAITING: Duration = Duration::from_secs(5);

/// The two example servers and how their clients see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    /// `examples/chat.rs`: JSON events on `/ws`.
    Chat,
    /// `examples/broadcast.rs`: every text message as sent, on any path.
    Broadcast,
}

/// What a client saw in one text message from the server.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// A message some client sent, with that text.
    Message(String),
    /// The chat's notice that the client of this name was dropped as too slow.
    TooSlow(String),
    /// Anything else: a welcome, a join, a normal leave.
    Other(serde_json::Value),
}

impl Server {
    fn start(self) -> (Example, String) {
        let (name, path) = match self {
            Server::Chat => ("chat", "/ws"),
            Server::Broadcast => ("broadcast", "/"),
        };
        // A thousand clients from one address, and a client that floods on
        // purpose: the chat's default limits would stop both.
        let example = Example::start(
            name,
            &[
                "127.0.0.1:0",
                "--max-connections-per-ip",
                "off",
                "--max-messages-per-second",
                "off",
            ],
        );
        let url = format!("ws://{}{path}", example.addr);
        (example, url)
    }

    /// Waits until the server counts `sock` in: the chat's welcome (with the
    /// client's name); the broadcast server counts a client in before it
    /// answers the handshake.
    fn joined(self, sock: &Socket) -> Result<Option<String>, String> {
        if self == Server::Broadcast {
            return Ok(None);
        }
        match sock.read_message() {
            Ok(Message::Text(text)) => {
                let welcome: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(welcome["kind"], "welcome", "{text}");
                Ok(Some(welcome["name"].as_str().unwrap().to_owned()))
            }
            other => Err(format!("no welcome: {other:?}")),
        }
    }

    fn seen(self, text: String) -> Seen {
        if self == Server::Broadcast {
            return Seen::Message(text);
        }
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        let field = |name: &str| event[name].as_str().unwrap_or_default().to_owned();
        match (event["kind"].as_str(), event["reason"].as_str()) {
            (Some("message"), _) => Seen::Message(field("text")),
            (Some("leave"), Some("too slow")) => Seen::TooSlow(field("name")),
            _ => Seen::Other(event),
        }
    }
}

/// 1,000 clients connect at once; once all are in, each sends one message and
/// reads until it has all 1,000. Fails with the clients that did not.
fn burst(server: Server) {
    let (mut example, url) = server.start();
    let failures = silly::run(move || {
        let failures = Rc::new(RefCell::new(Vec::new()));
        let joined = Rc::new(Cell::new(0));
        let all_in = Notify::new();
        let wg = WaitGroup::new();
        for i in 0..CLIENTS {
            let (url, failures, joined, all_in) = (
                url.clone(),
                failures.clone(),
                joined.clone(),
                all_in.clone(),
            );
            wg.fork(move || {
                let sock = time::timeout(PATIENCE, || {
                    let sock =
                        websocket::connect(&url, &[]).map_err(|err| format!("connect: {err}"))?;
                    server.joined(&sock).map(|_| sock)
                })
                .unwrap_or_else(|_| Err(format!("not in after {PATIENCE:?}")));
                // Counted in even when it failed: the others wait for no one.
                joined.set(joined.get() + 1);
                if joined.get() == CLIENTS {
                    all_in.notify_waiters();
                }
                while joined.get() < CLIENTS {
                    all_in.wait();
                }
                let done = sock.and_then(|sock| {
                    let done = time::timeout(PATIENCE, || receive_everyone(server, &sock, i));
                    let _ = sock.close();
                    done.unwrap_or_else(|_| Err(format!("not everyone's message in {PATIENCE:?}")))
                });
                if let Err(err) = done {
                    failures.borrow_mut().push(format!("{i}: {err}"));
                }
            });
        }
        wg.wait();
        failures.take()
    });
    assert!(example.is_running(), "the server survived");
    assert!(
        failures.is_empty(),
        "{} of {CLIENTS} clients failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

/// Sends this client's message, then reads until every client's has come,
/// each once.
fn receive_everyone(server: Server, sock: &Socket, me: usize) -> Result<(), String> {
    let text = format!("hello from {me}");
    sock.write(text.as_bytes(), FrameType::Text)
        .map_err(|e| format!("send: {e}"))?;
    let mut from = vec![false; CLIENTS];
    let mut count = 0;
    while count < CLIENTS {
        let got = match sock.read_message() {
            Ok(Message::Text(text)) => server.seen(text),
            Ok(Message::Close(close)) => return Err(format!("dropped ({close:?}) after {count}")),
            Ok(_) => continue,
            Err(err) => return Err(format!("{err} after {count} messages")),
        };
        match got {
            Seen::Message(text) => {
                let sender: usize = text
                    .strip_prefix("hello from ")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("unexpected message {text:?}"))?;
                if std::mem::replace(&mut from[sender], true) {
                    return Err(format!("the message of {sender} twice"));
                }
                count += 1;
            }
            Seen::TooSlow(name) => return Err(format!("{name} was dropped as too slow")),
            Seen::Other(_) => {}
        }
    }
    Ok(())
}

#[test]
fn chat_a_thousand_clients_join_at_once_and_each_says_hello() {
    burst(Server::Chat);
}

#[test]
fn broadcast_a_thousand_clients_join_at_once_and_each_says_hello() {
    burst(Server::Broadcast);
}

/// A client that does the handshake and never reads again, next to one that
/// keeps up: the one sends message after message (`size` bytes each, in
/// batches), reading its own back with a short patience, until the other
/// has been dropped (the chat says so), or `limit` are sent (well past the
/// broadcast server's limit). Then the slow one finds its close 1008.
fn slow_client_dropped(server: Server, size: usize, batch: usize, limit: usize) {
    let (mut example, url) = server.start();
    silly::run(move || {
        let fast = websocket::connect(&url, &[]).unwrap();
        server.joined(&fast).unwrap();
        let addr = url.trim_start_matches("ws://");
        let (addr, path) = addr.split_at(addr.find('/').unwrap());
        let slow = util::ws::open(addr.parse().unwrap(), path);
        let slow_name = match server {
            Server::Chat => match server.seen(read_text(&fast)) {
                Seen::Other(join) if join["kind"] == "join" => {
                    join["name"].as_str().unwrap().to_owned()
                }
                other => panic!("expected the slow client's join, got {other:?}"),
            },
            Server::Broadcast => String::new(),
        };
        let line = "m".repeat(size);
        let mut sent = 0;
        let mut dropped = false;
        while !dropped && sent < limit {
            for _ in 0..batch {
                fast.write(line.as_bytes(), FrameType::Text).unwrap();
            }
            sent += batch;
            let mut own = 0;
            while own < batch {
                match server.seen(read_text(&fast)) {
                    Seen::Message(text) => {
                        assert!(text == line, "only our own messages");
                        own += 1;
                    }
                    Seen::TooSlow(name) => {
                        assert_eq!(name, slow_name, "only the slow one");
                        dropped = true;
                    }
                    Seen::Other(event) => panic!("unexpected {event}"),
                }
            }
        }
        if server == Server::Chat {
            assert!(dropped, "the slow client was never dropped ({sent} sent)");
        }
        // The others go on as before.
        fast.write(b"still here", FrameType::Text).unwrap();
        assert_eq!(
            server.seen(read_text(&fast)),
            Seen::Message("still here".into())
        );
        let got = drain_until_dropped(&slow);
        assert!(
            got < sent,
            "it got {got} of {sent} messages: dropped on the way"
        );
        fast.close().unwrap();
    });
    assert!(example.is_running(), "the server survived");
}

/// The next text message, which must come within [`NO_WAITING`].
fn read_text(sock: &Socket) -> String {
    let next = time::timeout(NO_WAITING, || loop {
        match sock.read_message() {
            Ok(Message::Text(text)) => return text,
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            other => panic!("expected a text message, got {other:?}"),
        }
    });
    next.unwrap_or_else(|_| panic!("no message within {NO_WAITING:?}: kept waiting"))
}

/// Reads what the server sent a client that stopped reading: messages, then
/// a close frame with 1008 "too slow", which it answers. Returns how many
/// messages it got.
fn drain_until_dropped(slow: &TcpStream) -> usize {
    let mut messages = 0;
    loop {
        let (_, opcode, payload, _) = read_frame(slow).expect("a close frame before the end");
        match opcode {
            1 => messages += 1,
            8 => {
                assert_eq!(&payload[..2], &1008u16.to_be_bytes(), "policy violation");
                assert_eq!(&payload[2..], b"too slow");
                let _ = slow.write_all(&frame(true, 0, 8, &payload[..2], Some(MASK)));
                assert!(read_frame(slow).is_none(), "nothing after the close");
                return messages;
            }
            other => panic!("unexpected opcode {other}"),
        }
    }
}

#[test]
fn chat_drops_a_client_that_stops_reading_and_the_others_do_not_wait() {
    slow_client_dropped(Server::Chat, 4000, 50, 20_000);
}

#[test]
fn broadcast_drops_a_client_that_stops_reading_and_the_others_do_not_wait() {
    // 16 MiB of limit plus at most a few MiB in the kernel's buffers: 48 MB
    // in 60,000-byte messages is well past both.
    slow_client_dropped(Server::Broadcast, 60_000, 16, 800);
}
