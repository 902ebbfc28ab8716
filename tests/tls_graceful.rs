//! `tls::listen_graceful`, the TLS twin of `tcp::listen_graceful`: handlers
//! get a `ShutdownToken`; at shutdown one that watches it ends on its own,
//! one that ignores it is cancelled at the grace deadline, and so is a
//! connection that never finished its handshake.

mod util;

use std::io::Read;
use std::time::Duration;

use silly::net::tcp::TcpStream;
use silly::net::tls::{self, ClientConfig, ServerConfig};
use silly::{task, time};
use util::pki::Ca;

#[test]
fn a_graceful_tls_server_lets_watchers_finish_and_cancels_the_rest() {
    let ca = Ca::new("graceful CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_config =
        ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen_graceful("127.0.0.1:0", server_config, |conn, shutdown| {
            let mut kind = [0u8; 1];
            if conn.read_exact(&mut kind).is_err() {
                return;
            }
            if kind[0] == b'w' {
                shutdown.wait();
                let _ = conn.write_all(b"bye");
                let _ = conn.shutdown(std::net::Shutdown::Write);
            } else {
                time::sleep(Duration::from_secs(3600)); // ignores it
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let connect = |kind: &[u8]| {
            let conn = tls::connect(addr, "localhost", &client_config).unwrap();
            conn.write_all(kind).unwrap();
            conn
        };
        let (watcher, stubborn) = (connect(b"w"), connect(b"s"));
        // Connects over TCP and never starts the handshake.
        let silent = TcpStream::connect(addr).unwrap();
        while server.connections() < 3 {
            task::yield_now();
        }
        time::sleep(Duration::from_millis(20)); // every handler waits
        let report = server.shutdown(Duration::from_millis(200));
        assert_eq!((report.finished, report.forced), (1, 2));
        assert_eq!(server.connections(), 0);
        let mut said = String::new();
        (&watcher).read_to_string(&mut said).unwrap();
        assert_eq!(said, "bye");
        let mut rest = [0u8; 1];
        let end = stubborn.read(&mut rest);
        assert!(!matches!(end, Ok(n) if n > 0), "closed, no data: {end:?}");
        assert_eq!(silent.read(&mut rest).unwrap_or(0), 0, "closed");
        assert!(TcpStream::connect(addr).is_err(), "the listener is gone");
    });
}
