//! Broadcast server (the seed's Example 1, made robust): every text message a
//! client sends goes to all connected clients.
//!
//! - Each client has its own outbox and writer coroutine
//!   (`examples/shared/outbox.rs`): a broadcast only queues, it never
//!   suspends, so a slow client never blocks the others, and a burst drops
//!   nobody who keeps reading. A client whose socket takes nothing for 10 s,
//!   or that has over 16 MiB waiting while its socket takes nothing, is
//!   dropped with close code 1008.
//! - A client that vanishes is removed when its read fails.
//! - Messages are limited to 64 KiB (larger ones close with 1009).
//! - With `--threads N`, N runtimes serve; a message reaches the clients of
//!   every runtime (`examples/shared/relay.rs`), in order.
//! - SIGINT or SIGTERM: every client gets close 1001, the process exits 0.
//!
//! ```text
//! cargo run --example broadcast -- 127.0.0.1:8080 [--threads N] [--grace SECS]
//! ```

#[path = "shared/outbox.rs"]
mod outbox;
#[path = "shared/relay.rs"]
mod relay;
#[path = "shared/serve.rs"]
mod serve;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, Config};
use silly::net::websocket::{self, Message, Socket};
use silly::task;

use self::outbox::Outbox;
use self::relay::Relay;
use self::serve::Options;

/// Largest message a client may send, in bytes.
const MAX_MESSAGE: usize = 64 * 1024;

/// Bytes queued for a client whose socket takes nothing, beyond which it is
/// too slow.
const MAX_BACKLOG: usize = 16 * 1024 * 1024;

/// Longest a client's socket may take nothing before it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Every connected client's outbox, by client id.
type Clients = Rc<RefCell<HashMap<u64, Rc<Outbox>>>>;

fn main() {
    let options = Options::parse("broadcast", "127.0.0.1:8080");
    let relay = Relay::new(options.threads);
    serve::serve("broadcast", options, move |addr| {
        let clients: Clients = Rc::default();
        let local = clients.clone();
        relay.start(move |message| fan_out(&local, message));
        let relay = relay.clone();
        let next_id = Rc::new(Cell::new(0u64));
        http::listen(Config::new(addr, move |stream| {
            let ws_config = websocket::Config::default()
                .max_message_size(MAX_MESSAGE)
                .write_timeout(Some(WRITE_TIMEOUT));
            let Ok(sock) = websocket::upgrade_with(stream, ws_config) else {
                return;
            };
            let sock = Rc::new(sock);
            let id = next_id.get();
            next_id.set(id + 1);
            let outbox = Rc::new(Outbox::new(MAX_BACKLOG));
            clients.borrow_mut().insert(id, outbox.clone());
            let writer_sock = sock.clone();
            let writer_outbox = outbox.clone();
            task::fork(move || writer_outbox.write_to(&writer_sock));
            read_loop(&sock, &clients, &relay);
            clients.borrow_mut().remove(&id);
            outbox.close();
        }))
    });
}

/// Queues `message` for every client of this runtime, forgetting those found
/// too slow.
fn fan_out(clients: &Clients, message: Rc<str>) {
    clients
        .borrow_mut()
        .retain(|_, outbox| outbox.push(message.clone()).is_ok());
}

/// Queues each text message the client sends for every client of every
/// runtime (itself included), forgetting those found too slow, until the
/// client leaves.
fn read_loop(sock: &Socket, clients: &Clients, relay: &Relay) {
    loop {
        match sock.read_message() {
            Ok(Message::Text(text)) => {
                relay.forward(&text);
                fan_out(clients, text.into());
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
