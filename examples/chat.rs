//! Browser chat: one process serves a chat page at `/` and a WebSocket at
//! `/ws` that broadcasts every text message to every connected client.
//!
//! ```text
//! cargo run --release --example chat                  # http://127.0.0.1:8080/
//! cargo run --release --example chat -- 127.0.0.1:9000 [--threads N] [--grace SECS]
//! cargo run --release --example chat -- 127.0.0.1:9001 --redis redis://127.0.0.1:6379
//! ```
//!
//! - Routes (`http::Router`): `GET /` the page, `GET /ws` the WebSocket,
//!   `GET /metrics` Prometheus metrics of every runtime; anything else 404,
//!   a wrong method 405. An access-log middleware logs each request's method,
//!   path, status, body bytes and duration (`RUST_LOG=info`, the default).
//! - The page (`examples/chat/index.html`, inline JS and CSS) is served from
//!   disk by `http::ServeDir` (file reads on the blocking pool, ETag and 304).
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
//! - Messages are limited to 4 KiB (larger ones close with 1009) and, by
//!   default, to 20 a second per client (more close with 1008;
//!   `--max-messages-per-second N|off`); a client address may hold 256
//!   connections (more are answered 429; `--max-connections-per-ip N|off`).
//!   Heartbeats are the library's: a client silent for 20 s is pinged, and
//!   dropped (1011) if it sends nothing in the 40 s after.
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
use std::io;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use silly::net::http::{self, Limits, Next, Router, ServeDir, Stream};
use silly::net::websocket::{self, FrameType, Hub, HubConfig, Message, RuntimeBackplane, Socket};

use self::serve::Options;

/// The page's security policy: its own inline script and style, and
/// WebSockets to where it came from; nothing else.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
                           style-src 'unsafe-inline'; img-src data:; connect-src 'self'";

/// Bytes queued for a client whose socket takes nothing, beyond which it is
/// too slow.
const MAX_BACKLOG: usize = 1024 * 1024;

/// Largest message a client may send, in bytes.
const MAX_MESSAGE: usize = 4 * 1024;

/// Longest a client's socket may take nothing before it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A client silent this long is pinged...
const PING_INTERVAL: Duration = Duration::from_secs(20);

/// ...and dropped if it then sends nothing (not even a pong) for this long.
const PING_TIMEOUT: Duration = Duration::from_secs(40);

/// Default connections per client address, and messages per second per
/// client (each can be changed or turned off on the command line).
const MAX_CONNECTIONS_PER_IP: usize = 256;
const MAX_MESSAGES_PER_SECOND: u32 = 20;

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
        let welcome = json!({"kind": "welcome", "name": &*name, "online": online}).to_string();
        // Before it subscribes, so the welcome comes first; a failure shows
        // in its read loop.
        let _ = sock.write(welcome.as_bytes(), FrameType::Text);
        self.announce(&json!({"kind": "join", "name": &*name}).to_string());
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
        self.announce(&json!({"kind": "leave", "name": name, "reason": reason}).to_string());
    }

    /// Sends `line` to every client of every runtime, without suspending.
    fn announce(&self, line: &str) {
        // A JSON event is valid UTF-8: cannot fail.
        let _ = self.hub.publish_text(ROOM, line);
    }
}

fn main() {
    let options = Options::parse("chat", "127.0.0.1:8080");
    let runtimes = RuntimeBackplane::new(options.threads);
    let online = Arc::new(AtomicUsize::new(0));
    let redis = options.redis.clone();
    let limits = Limits::default().max_connections_per_ip(
        options
            .max_connections_per_ip
            .unwrap_or(Some(MAX_CONNECTIONS_PER_IP)),
    );
    let messages_per_second = options
        .max_messages_per_second
        .unwrap_or(Some(MAX_MESSAGES_PER_SECOND));
    let page_dir = page_dir();
    serve::serve("chat", options, move |addr| {
        let room = Room::new(&runtimes, redis.as_deref(), online.clone())?;
        let pages = ServeDir::new(&page_dir)?;
        let router = Router::new()
            .get("/", move |s| {
                // Queued for the response the page's file gets.
                let _ = s.add_response_header("Content-Security-Policy", PAGE_POLICY);
                let _ = s.add_response_header("Cache-Control", "no-cache");
                let _ = pages.serve(s, "index.html");
            })
            .get("/ws", move |s| serve_client(s, &room, messages_per_second))
            .get("/metrics", silly::metrics::handler())
            .layer(access_log);
        let config = http::Config::default().limits(limits);
        http::listen_with(addr, config, router.into_handler())
    });
}

/// Where the page is: `examples/chat` of this source tree (built as an
/// example of the root crate or as a bench binary, whose manifest is one
/// folder down).
fn page_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("examples/chat"),
        manifest.join("../examples/chat"),
    ]
    .into_iter()
    .find(|dir| dir.join("index.html").is_file())
    .unwrap_or_else(|| manifest.join("examples/chat"))
}

/// Logs each request once it is answered: method, path, status, body bytes,
/// duration (a WebSocket's when it ends).
fn access_log(s: &mut Stream, next: Next<'_>) {
    let started = Instant::now();
    let (method, path) = (s.method().to_owned(), s.path().to_owned());
    next.run(s);
    log::info!(
        "{method} {path} {} {} B {:.1?}",
        s.status().unwrap_or(0),
        s.bytes_written(),
        started.elapsed()
    );
}

/// One chat client, from the handshake to its leave notice.
fn serve_client(stream: &mut Stream, room: &Room, messages_per_second: Option<u32>) {
    // A browser page from elsewhere may not use this socket.
    let host = stream.header("host").unwrap_or_default().to_owned();
    let config = websocket::Config::default()
        .max_message_bytes(MAX_MESSAGE)
        .max_frame_bytes(MAX_MESSAGE)
        .write_timeout(Some(WRITE_TIMEOUT))
        .ping_interval(Some(PING_INTERVAL))
        .ping_timeout(Some(PING_TIMEOUT))
        .max_messages_per_second(messages_per_second)
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
    read_loop(&sock, room, &name);
    room.leave(id);
}

/// Broadcasts what the client says until it leaves or breaks the rules
/// (a message over the limit, invalid UTF-8: the library closes with 1009, 1007).
fn read_loop(sock: &Socket, room: &Room, name: &str) {
    loop {
        match sock.read_message() {
            Ok(Message::Text(text)) => {
                let text = text.trim();
                if !text.is_empty() {
                    room.announce(
                        &json!({"kind": "message", "name": name, "text": text}).to_string(),
                    );
                }
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => {} // binary is ignored; pings are answered for us; pongs
        }
    }
}
