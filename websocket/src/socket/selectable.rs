//! Waiting on a socket with [`Select`](silly_runtime::sync::Select), beside
//! channels, other sockets and a deadline.

use silly_runtime::sync::{SelectWaiter, Selectable, Watch};

use super::Socket;

/// A socket is ready when a [`read`](Socket::read) may return without
/// waiting: a message or bytes of one already received, the connection
/// ended (the read returns its error at once), or bytes or EOF waiting in
/// the connection. "May": bytes of a frame not yet whole make it ready, and
/// the read then waits for the rest, as a `TcpStream` that is readable may
/// hold half a line.
///
/// ```
/// use silly_net::http;
/// use silly_runtime::sync::{self, Select};
/// use silly_websocket::{connect, upgrade, FrameType};
///
/// silly_runtime::run(|| {
///     let server = http::listen("127.0.0.1:0", |stream| {
///         let Ok(sock) = upgrade(stream) else { return };
///         let _ = sock.write(b"hello", FrameType::Text);
///         let _ = sock.read();
///     })
///     .unwrap();
///     let sock = connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
///     let (_tx, commands) = sync::channel::<u32>();
///     let mut select = Select::new();
///     let from_peer = select.add(&sock);
///     select.recv(&commands);
///     assert_eq!(select.ready(), from_peer);
///     assert_eq!(sock.read().unwrap().0, b"hello");
/// });
/// ```
///
/// # Interrupts
///
/// Whole: waiting only looks at the socket; nothing is read.
impl Selectable for Socket {
    fn is_ready(&self) -> bool {
        let inner = &*self.inner;
        if inner.closing.is_closed() {
            return true;
        }
        // A read in progress holds the reader: what it has is its own, and
        // the connection tells whether more came.
        let holds_bytes = match inner.reader.take() {
            Some(reader) => {
                let holds = reader.held.is_some() || !reader.available().is_empty();
                inner.reader.set(Some(reader));
                holds
            }
            None => false,
        };
        holds_bytes || inner.conn.is_ready()
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        self.inner.conn.watch(waiter)
    }
}
