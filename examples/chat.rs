//! Browser chat: one process serves a chat page at `/` and a WebSocket at
//! `/ws` that broadcasts every text message to every connected client.
//!
//! ```text
//! cargo run --release --example chat                  # http://127.0.0.1:8080/
//! cargo run --release --example chat -- 127.0.0.1:9000 [--threads N] [--grace SECS]
//! cargo run --release --example chat -- 127.0.0.1:9001 --redis redis://127.0.0.1:6379
//! ```
//!
//! - The page (`examples/chat/index.html`, inline JS and CSS) is embedded in the
//!   binary with `include_str!`.
//! - Each client gets a name (`user-N`), a welcome, and join/leave notices of
//!   the others. Everything the server sends is a JSON object in a text message:
//!   `{"kind":"welcome","name":"user-1","online":1}`,
//!   `{"kind":"join","name":"user-2"}`,
//!   `{"kind":"message","name":"user-1","text":"hi"}`,
//!   `{"kind":"leave","name":"user-2","reason":"left"}`.
//! - The room is one topic of a `websocket::Hub`: a notice or message is
//!   framed once for everyone, and what waits for a client goes out in one
//!   write per turn of the event loop. Publishing only queues, it never
//!   suspends, so nobody waits for a slow client, and a burst drops nobody
//!   who keeps reading. A client is too slow when its socket takes nothing
//!   for 10 s, or when over 1 MiB waits for it while its socket takes
//!   nothing: it is dropped (close code 1008, "too slow") and the others told.
//! - Messages are limited to 4 KiB (larger ones close with 1009); the server
//!   pings every 20 s and drops a client silent for 60 s.
//! - Browsers from another origin are refused (403): only this page, or
//!   non-browser clients (no `Origin` header), may connect.
//! - With `--threads N`, N runtimes serve; what a client says reaches the
//!   clients of every runtime (`websocket::RuntimeBackplane`, the hubs'
//!   backplane), in order, once.
//! - With `--redis redis://HOST:PORT`, chat processes (nodes) that name the
//!   same Redis server share the room (Redis channel `chat:room`, through
//!   `silly::redis::HubBackplane`; with `--threads N` too, each runtime is
//!   a node of its own: `examples/shared/backplane.rs`). Names get the
//!   node's tag (`user-1.3fa2`) so that two nodes' `user-1` differ; the
//!   welcome's `online` counts this process's clients. Redis pub/sub is at
//!   most once: while Redis is down, each node's clients still hear each
//!   other, and what is said is lost for the other nodes.
//! - SIGINT or SIGTERM: every client gets close 1001 (Going Away), the
//!   close handshake completes, and the process exits 0.

#[path = "shared/backplane.rs"]
mod backplane;
#[path = "shared/serve.rs"]
mod serve;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use silly::net::http::{self, Stream};
use silly::net::websocket::{self, FrameType, Hub, HubConfig, Message, RuntimeBackplane, Socket};
use silly::{task, time};

use self::serve::Options;

/// The page, embedded at build time.
const PAGE: &str = include_str!("chat/index.html");

/// Bytes queued for a client whose socket takes nothing, beyond which it is
/// too slow.
const MAX_BACKLOG: usize = 1024 * 1024;

/// Largest message a client may send, in bytes.
const MAX_MESSAGE: usize = 4 * 1024;

/// Longest a client's socket may take nothing before it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the server pings each client.
const PING_EVERY: Duration = Duration::from_secs(20);

/// A client that sends nothing (not even a pong) for this long is dropped.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// The hub topic of the room.
const ROOM: &str = "room";

/// One connected client, as the room sees it.
struct Member {
    name: Rc<str>,
    /// To find the member the hub drops as too slow.
    sock: Socket,
}

/// Everyone connected to this runtime.
struct Room {
    members: RefCell<BTreeMap<u64, Member>>,
    next_id: Cell<u64>,
    /// The room's topic; its backplane reaches the other runtimes.
    hub: Hub,
    /// Who is online on every runtime.
    online: Arc<AtomicUsize>,
    /// Appended to names (`.3fa2`) when other nodes share the room.
    tag: String,
}

impl Room {
    /// A room on this runtime, connected to the other runtimes through
    /// `runtimes`, or to every node through `redis`.
    fn new(
        runtimes: &RuntimeBackplane,
        redis: Option<&str>,
        online: Arc<AtomicUsize>,
    ) -> io::Result<Rc<Room>> {
        // Judged by bytes alone (a burst of many small notices is no sign
        // of slowness), as documented above.
        let config = HubConfig::default()
            .max_queue(usize::MAX)
            .max_queue_bytes(MAX_BACKLOG);
        let hub = Hub::with_config(config).expect("valid hub settings");
        let tag = match backplane::join(&hub, runtimes, redis, "chat")? {
            Some(backplane) => format!(".{:04x}", backplane.node_id() & 0xffff),
            None => String::new(),
        };
        let room = Rc::new(Room {
            members: RefCell::default(),
            next_id: Cell::new(0),
            hub,
            online,
            tag,
        });
        // Weak: the hub must not keep the room that keeps it.
        let weak: Weak<Room> = Rc::downgrade(&room);
        room.hub.on_drop(move |sock| {
            if let Some(room) = weak.upgrade() {
                room.too_slow(sock);
            }
        });
        Ok(room)
    }

    /// Adds a client: sends it a welcome, tells the others, and subscribes
    /// it. Returns its id and name.
    fn join(&self, sock: &Socket) -> (u64, Rc<str>) {
        // Unique across runtimes: runtime i of N numbers i+1, i+1+N, ...
        let runtimes = silly::runtimes().len() as u64;
        let id = self.next_id.get() * runtimes + silly::runtime_index() as u64 + 1;
        self.next_id.set(self.next_id.get() + 1);
        let name: Rc<str> = format!("user-{id}{}", self.tag).into();
        let online = self.online.fetch_add(1, Ordering::Relaxed) + 1;
        let welcome = event(&[
            ("kind", "welcome"),
            ("name", &name),
            ("online", &online.to_string()),
        ]);
        // Before it subscribes, so the welcome comes first; a failure shows
        // in its read loop.
        let _ = sock.write(welcome.as_bytes(), FrameType::Text);
        self.announce(&event(&[("kind", "join"), ("name", &name)]));
        let _ = self.hub.subscribe(sock, ROOM);
        self.members.borrow_mut().insert(
            id,
            Member {
                name: name.clone(),
                sock: sock.clone(),
            },
        );
        (id, name)
    }

    /// Removes a client that went away; the others are told, unless it was
    /// dropped as too slow (they were told then).
    fn leave(&self, id: u64) {
        let member = self.members.borrow_mut().remove(&id);
        if let Some(member) = member {
            self.hub.unsubscribe_all(&member.sock);
            self.gone(&member.name, "left");
        }
    }

    /// The hub dropped `sock` as too slow (it closes it with 1008).
    fn too_slow(&self, sock: &Socket) {
        let mut members = self.members.borrow_mut();
        let id = members
            .iter()
            .find(|(_, member)| member.sock.same_connection(sock))
            .map(|(id, _)| *id);
        let member = id.and_then(|id| members.remove(&id));
        drop(members);
        if let Some(member) = member {
            self.gone(&member.name, "too slow");
        }
    }

    fn gone(&self, name: &str, reason: &str) {
        self.online.fetch_sub(1, Ordering::Relaxed);
        self.announce(&event(&[
            ("kind", "leave"),
            ("name", name),
            ("reason", reason),
        ]));
    }

    /// Sends `line` to every client of every runtime, without suspending.
    fn announce(&self, line: &str) {
        // A JSON event is valid UTF-8: cannot fail.
        let _ = self.hub.publish_text(ROOM, line);
    }
}

/// A flat JSON object of string fields (`online` is the one number).
fn event(fields: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json_string(key));
        out.push(':');
        if *key == "online" {
            out.push_str(value);
        } else {
            out.push_str(&json_string(value));
        }
    }
    out.push('}');
    out
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() {
    let options = Options::parse("chat", "127.0.0.1:8080");
    let runtimes = RuntimeBackplane::new(options.threads);
    let online = Arc::new(AtomicUsize::new(0));
    let redis = options.redis.clone();
    serve::serve("chat", options, move |addr| {
        let room = Room::new(&runtimes, redis.as_deref(), online.clone())?;
        http::listen(addr, move |stream| match stream.path() {
            "/" => {
                let _ = stream.reply(
                    200,
                    &[
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Cache-Control", "no-store"),
                        (
                            "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; \
                             style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
                        ),
                    ],
                    PAGE.as_bytes(),
                );
            }
            "/ws" => serve_client(stream, &room),
            _ => {
                let _ = stream.reply(404, &[("Content-Type", "text/plain")], b"not found\n");
            }
        })
    });
}

/// One chat client, from the handshake to its leave notice.
fn serve_client(stream: &mut Stream, room: &Room) {
    // A browser page from elsewhere may not use this socket.
    let host = stream.header("host").unwrap_or_default().to_owned();
    let config = websocket::Config::default()
        .max_message_bytes(MAX_MESSAGE)
        .max_frame_bytes(MAX_MESSAGE)
        .write_timeout(Some(WRITE_TIMEOUT))
        .origin_check(move |origin| match origin {
            None => true,
            Some(origin) => {
                origin.strip_prefix("http://") == Some(host.as_str())
                    || origin.strip_prefix("https://") == Some(host.as_str())
            }
        });
    let Ok(sock) = websocket::upgrade_with(stream, config) else {
        return; // refused: answered 400/403/426 already
    };
    let (id, name) = room.join(&sock);

    // The heartbeat: finds clients that vanished without closing.
    let last_seen = Rc::new(Cell::new(Instant::now()));
    let (beat_sock, seen) = (sock.clone(), last_seen.clone());
    task::fork(move || loop {
        time::sleep(PING_EVERY);
        if beat_sock.is_closed() {
            return;
        }
        if seen.get().elapsed() > IDLE_LIMIT || beat_sock.write(b"", FrameType::Ping).is_err() {
            beat_sock.abort();
            return;
        }
    });

    read_loop(&sock, room, &name, &last_seen);
    room.leave(id);
}

/// Broadcasts what the client says until it leaves or breaks the rules
/// (a message over the limit, invalid UTF-8: the library closes with 1009, 1007).
fn read_loop(sock: &Socket, room: &Room, name: &str, last_seen: &Cell<Instant>) {
    loop {
        let message = sock.read_message();
        last_seen.set(Instant::now());
        match message {
            Ok(Message::Text(text)) => {
                let text = text.trim();
                if !text.is_empty() {
                    room.announce(&event(&[
                        ("kind", "message"),
                        ("name", name),
                        ("text", text),
                    ]));
                }
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => {} // binary is ignored; pings are answered for us; pongs
        }
    }
}
