//! Broadcast server (the seed's Example 1, made robust): every text message a
//! client sends goes to all connected clients.
//!
//! - Each client has its own bounded outbox and writer coroutine, so a slow
//!   client never blocks the broadcaster; one whose outbox fills up is dropped
//!   with close code 1008.
//! - A client that vanishes is removed when its read fails.
//! - Messages are limited to 64 KiB (larger ones close with 1009).
//!
//! ```text
//! cargo run --example broadcast -- 127.0.0.1:8080
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use silly::net::http::{self, Config};
use silly::net::websocket::{self, code, FrameType, Socket};
use silly::sync::{self, Sender, TrySendError};
use silly::task;

/// Messages queued per client before it counts as too slow.
const OUTBOX: usize = 64;

type Clients = Rc<RefCell<HashMap<u64, Sender<Rc<Vec<u8>>>>>>;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    silly::run(move || {
        let clients: Clients = Rc::default();
        let (broadcast, inbox) = sync::channel::<Rc<Vec<u8>>>();
        let everyone = clients.clone();
        task::fork(move || {
            while let Ok(message) = inbox.recv() {
                everyone
                    .borrow_mut()
                    .retain(|_, outbox| match outbox.try_send(message.clone()) {
                        Ok(()) => true,
                        Err(TrySendError::Full(_)) | Err(TrySendError::Closed(_)) => false,
                    });
            }
        });
        let next_id = Rc::new(std::cell::Cell::new(0u64));
        let config = Config::new(addr.as_str(), move |stream| {
            let mut ws_config = websocket::Config::default();
            ws_config.max_message_size = 64 * 1024;
            let Ok(sock) = websocket::upgrade_with(stream, ws_config) else {
                return;
            };
            let sock = Rc::new(sock);
            let id = next_id.get();
            next_id.set(id + 1);
            let (outbox, queue) = sync::bounded::<Rc<Vec<u8>>>(OUTBOX);
            clients.borrow_mut().insert(id, outbox);
            let writer_sock = sock.clone();
            let writer = task::fork(move || {
                while let Ok(message) = queue.recv() {
                    if writer_sock.write(&message, FrameType::Text).is_err() {
                        return;
                    }
                }
                // The outbox was dropped: the client was too slow (or has left).
                let _ = writer_sock.close_with(code::POLICY_VIOLATION, "too slow");
            });
            read_loop(&sock, &broadcast);
            clients.borrow_mut().remove(&id);
            drop(writer);
        });
        match http::listen(config) {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park();
            }
            Err(err) => {
                eprintln!("broadcast: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}

fn read_loop(sock: &Socket, broadcast: &Sender<Rc<Vec<u8>>>) {
    loop {
        match sock.read() {
            Ok((data, FrameType::Text)) => {
                let _ = broadcast.send(Rc::new(data));
            }
            Ok((_, FrameType::Close)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
