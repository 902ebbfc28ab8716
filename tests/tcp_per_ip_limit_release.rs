//! A connection gives its place under the per-address limit back however
//! its handler ends: the client resets it (an abrupt disconnect), the
//! handler panics, or it is cancelled where it waits.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::{self, TcpStream};
use silly::task::{self, Task};
use util::wait_until;

#[test]
fn place_comes_back_after_reset_panic_and_cancel() {
    silly::run(|| {
        let waiting: Rc<RefCell<Option<Task>>> = Rc::default();
        let record = waiting.clone();
        let server = tcp::listen("127.0.0.1:0", move |conn| {
            *record.borrow_mut() = Some(task::current());
            let mut byte = [0u8; 1];
            if let Ok(1) = conn.read(&mut byte) {
                assert_ne!(&byte, b"p", "asked to panic");
            }
            // Waits (to be cancelled) until the client closes or resets.
            while conn.read(&mut byte).is_ok_and(|n| n > 0) {}
        })
        .unwrap();
        server.set_max_connections_per_ip(Some(1)).unwrap();
        silly::task::yield_now();
        let base = silly::stats();

        // One served, so the next is refused: the limit is in force.
        let served = |what: &str| {
            let conn = TcpStream::connect(server.local_addr()).unwrap();
            wait_until(what, || server.connections() == 1);
            conn
        };
        let refused_before = server.refused_connections();
        let first = served("first served");
        let second = TcpStream::connect(server.local_addr()).unwrap();
        assert_eq!(second.read(&mut [0u8; 1]).unwrap_or(0), 0, "refused");
        assert_eq!(server.refused_connections(), refused_before + 1);

        // Reset by the client: no FIN, an RST (linger 0).
        socket2::SockRef::from(&first)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(first);
        wait_until("reset released", || server.connections() == 0);
        let panicking = served("served after a reset");

        panicking.write_all(b"p").unwrap();
        wait_until("panic released", || server.connections() == 0);
        let cancelled = served("served after a panic");

        let handler = waiting.borrow_mut().take().expect("the handler's task");
        handler.cancel();
        wait_until("cancel released", || server.connections() == 0);
        let last = served("served after a cancel");
        assert!(
            cancelled.read(&mut [0u8; 1]).unwrap_or(0) == 0,
            "its socket closed"
        );
        assert_eq!(
            server.refused_connections(),
            refused_before + 1,
            "none refused since"
        );

        drop((panicking, cancelled, last, second));
        wait_until("all closed", || server.connections() == 0);
        wait_until("tasks and sockets back", || {
            let now = silly::stats();
            now.live_tasks == base.live_tasks && now.registrations == base.registrations
        });
        server.close();
    });
}
