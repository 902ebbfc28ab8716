//! A handler that ignores shutdown is force-closed at the grace deadline
//! (its task cancelled, its socket closed), and `shutdown` reports it; one
//! that watches its `ShutdownToken` ends on its own and is reported finished.

use std::io::Read;
use std::time::Duration;

use silly::net::tcp::{self, TcpStream};

#[test]
fn a_handler_that_ignores_shutdown_is_cancelled_at_the_deadline() {
    silly::run(|| {
        let server = tcp::listen_graceful("127.0.0.1:0", |conn, shutdown| {
            if conn.write_all(b"?").is_err() {
                return;
            }
            let mut byte = [0u8; 1];
            if conn.read(&mut byte).ok() == Some(1) && byte[0] == b'w' {
                // Watches shutdown: says goodbye and returns.
                shutdown.wait();
                let _ = conn.write_all(b"bye");
            } else {
                silly::time::sleep(Duration::from_secs(3600)); // ignores it
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let connect = |kind: &[u8]| {
            let conn = TcpStream::connect(addr).unwrap();
            let mut first = [0u8; 1];
            conn.read_exact(&mut first).unwrap();
            conn.write_all(kind).unwrap();
            conn
        };
        let (mut watcher, mut stubborn) = (connect(b"w"), connect(b"s"));
        while server.connections() < 2 {
            silly::task::yield_now();
        }
        silly::time::sleep(Duration::from_millis(20)); // both handlers wait
        let report = server.shutdown(Duration::from_millis(200));
        assert_eq!((report.finished, report.forced), (1, 1));
        assert_eq!(server.connections(), 0);
        let mut said = String::new();
        watcher.read_to_string(&mut said).unwrap();
        assert_eq!(said, "bye");
        let mut rest = Vec::new();
        let end = stubborn.read_to_end(&mut rest);
        assert!(rest.is_empty() && end.is_ok(), "closed: {end:?} {rest:?}");
        // The listener is gone.
        assert!(TcpStream::connect(addr).is_err());
    });
}
