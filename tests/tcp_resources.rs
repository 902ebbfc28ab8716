//! No file descriptor, registration or coroutine outlives its connection.

mod util;

use std::time::Duration;

use silly::net::tcp::{self, TcpStream};
use silly::{task, time};

#[test]
fn thousand_connect_close_cycles_leak_nothing() {
    let _serial = util::serial();
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let mut buf = [0u8; 16];
            while conn.read(&mut buf).map(|n| n > 0).unwrap_or(false) {}
        })
        .unwrap();
        let addr = server.local_addr();
        let fds = util::fd_count();
        let stats = silly::stats();
        for i in 0..1000u32 {
            let conn = TcpStream::connect(addr).unwrap();
            conn.write_all(&i.to_le_bytes()).unwrap();
            if i % 2 == 0 {
                conn.close();
            } // else dropped
              // Connecting on loopback never suspends: yield so the acceptor keeps up.
            task::yield_now();
        }
        // Let the handlers see EOF and end.
        for _ in 0..100 {
            if util::fd_count() == fds && silly::stats().live_tasks == stats.live_tasks {
                break;
            }
            time::sleep(Duration::from_millis(5));
        }
        assert_eq!(util::fd_count(), fds, "fds back to baseline");
        let after = silly::stats();
        assert_eq!(
            after.live_tasks, stats.live_tasks,
            "handler coroutines ended"
        );
        assert_eq!(after.registrations, stats.registrations);
        server.close();
    });
}

#[test]
fn coroutines_blocked_on_sockets_release_them_at_shutdown() {
    let _serial = util::serial();
    let fds = util::fd_count();
    silly::run(move || {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let mut buf = [0u8; 1];
            let _ = conn.read(&mut buf); // blocks forever: the client never writes
        })
        .unwrap();
        for _ in 0..50 {
            let addr = server.local_addr();
            task::fork(move || {
                let conn = TcpStream::connect(addr).unwrap();
                let mut buf = [0u8; 1];
                let _ = conn.read(&mut buf); // blocks forever too
            });
        }
        time::sleep(Duration::from_millis(50));
        assert!(util::fd_count() >= fds + 100);
        // main returns: 100 blocked coroutines and the acceptor are unwound.
    });
    assert_eq!(
        util::fd_count(),
        fds,
        "every socket was closed by the unwind"
    );
}
