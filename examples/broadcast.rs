//! Broadcast server (the seed's Example 1, made robust): every text message a
//! client sends goes to all connected clients.
//!
//! - Every client is subscribed to one topic of a `websocket::Hub`: a
//!   message is framed once for all clients, and what waits for a client goes
//!   out in one write per turn of the event loop. Publishing only queues, it
//!   never suspends, so a slow client never blocks the others, and a burst
//!   drops nobody who keeps reading. A client whose socket takes nothing for
//!   10 s, or that has over 64 messages (or 16 MiB) waiting while its socket
//!   has taken nothing since an earlier turn of the loop, is dropped with
//!   close code 1008.
//! - A client that vanishes is removed when its connection fails.
//! - Messages are limited to 64 KiB (larger ones close with 1009).
//! - With `--threads N`, N runtimes serve; a message reaches the clients of
//!   every runtime (`websocket::RuntimeBackplane`, the hubs' backplane), in
//!   order, once.
//! - With `--redis redis://HOST:PORT`, broadcast processes that name the same
//!   Redis server share the topic (channel `broadcast:all`; each runtime is
//!   a node: `examples/shared/backplane.rs`), at most once.
//! - SIGINT or SIGTERM: every client gets close 1001, the process exits 0.
//!
//! ```text
//! cargo run --example broadcast -- 127.0.0.1:8080 [--threads N] [--grace SECS] [--redis URL]
//! ```

#[path = "shared/backplane.rs"]
mod backplane;
#[path = "shared/serve.rs"]
mod serve;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Hub, HubConfig, Message, RuntimeBackplane, Socket};

use self::serve::Options;

/// Largest message a client may send, in bytes.
const MAX_MESSAGE: usize = 64 * 1024;

/// Messages queued for a client whose socket takes nothing, beyond which it
/// is too slow (the outbox of 64 the fan-out benchmark holds every server to).
const MAX_QUEUE: usize = 64;

/// Bytes queued for a client whose socket takes nothing, beyond which it is
/// too slow.
const MAX_BACKLOG: usize = 16 * 1024 * 1024;

/// Longest a client's socket may take nothing before it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The one topic: everyone.
const TOPIC: &str = "all";

fn main() {
    let options = Options::parse("broadcast", "127.0.0.1:8080");
    let runtimes = RuntimeBackplane::new(options.threads);
    let redis = options.redis.clone();
    serve::serve("broadcast", options, move |addr| {
        // Over the bounds counts only while the socket takes nothing: a burst
        // queued in one turn, for a client that reads, is no sign of slowness.
        let config = HubConfig::default()
            .max_queue(MAX_QUEUE)
            .max_queue_bytes(MAX_BACKLOG);
        let hub = Hub::with_config(config).expect("valid hub settings");
        backplane::join(&hub, &runtimes, redis.as_deref(), "broadcast")?;
        http::listen(addr, move |stream| {
            let ws_config = websocket::Config::default()
                .max_message_bytes(MAX_MESSAGE)
                .write_timeout(Some(WRITE_TIMEOUT));
            let Ok(sock) = websocket::upgrade_with(stream, ws_config) else {
                return;
            };
            if hub.subscribe(&sock, TOPIC).is_ok() {
                read_loop(&sock, &hub);
            }
            hub.unsubscribe_all(&sock);
        })
    });
}

/// Publishes each text message the client sends to every client of every
/// runtime (itself included), until the client leaves.
fn read_loop(sock: &Socket, hub: &Hub) {
    loop {
        match sock.read_message() {
            Ok(Message::Text(text)) => {
                // Text read from a socket is valid UTF-8: cannot fail.
                let _ = hub.publish_text(TOPIC, &text);
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
