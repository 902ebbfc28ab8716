//! A timeout too long for the clock (`Duration::MAX`) means no limit on every
//! TCP and TLS call that takes one: connect, read, write, handshake and the
//! shutdown grace. `Instant::now() + Duration::MAX` would panic; these calls
//! must instead wait as long as it takes and succeed.

mod util;

use std::time::Duration;

use silly::net::tcp::{self, TcpStream};
use silly::net::tls::{self, ClientConfig, ServerConfig};
use silly::{task, time};
use util::pki::Ca;

const FOREVER: Option<Duration> = Some(Duration::MAX);

#[test]
fn tcp_connect_read_and_write_with_huge_timeouts() {
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            conn.set_read_timeout(FOREVER);
            conn.set_write_timeout(FOREVER);
            let mut buf = [0u8; 5];
            conn.read_exact(&mut buf).unwrap();
            // A reply larger than the socket buffers: the write has to wait
            // for the client to read, under its huge timeout.
            conn.write_all(&vec![buf[0]; 4 << 20]).unwrap();
        })
        .unwrap();
        let client = TcpStream::connect_timeout(server.local_addr(), FOREVER).unwrap();
        client.set_read_timeout(FOREVER);
        // The server's read waits (under its deadline) before this arrives.
        time::sleep(Duration::from_millis(20));
        client.write_all(b"xxxxx").unwrap();
        time::sleep(Duration::from_millis(20));
        let mut reply = vec![0u8; 4 << 20];
        client.read_exact(&mut reply).unwrap();
        assert!(reply.iter().all(|&b| b == b'x'));
        server.close();
    });
}

#[test]
fn tls_handshake_read_and_write_with_huge_timeouts() {
    let ca = Ca::new("huge timeouts CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_config = ServerConfig::default()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap()
        .handshake_timeout(FOREVER);
    let client_config = ClientConfig::default()
        .ca_pem(ca.pem().as_bytes())
        .unwrap()
        .handshake_timeout(FOREVER);
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", server_config, |conn| {
            conn.set_read_timeout(FOREVER);
            conn.set_write_timeout(FOREVER);
            let mut buf = [0u8; 5];
            conn.read_exact(&mut buf).unwrap();
            conn.write_all(&vec![buf[0]; 1 << 20]).unwrap();
        })
        .unwrap();
        let client = tls::connect(server.local_addr(), "localhost", &client_config).unwrap();
        client.set_read_timeout(FOREVER);
        client.set_write_timeout(FOREVER);
        time::sleep(Duration::from_millis(20));
        client.write_all(b"yyyyy").unwrap();
        let mut reply = vec![0u8; 1 << 20];
        client.read_exact(&mut reply).unwrap();
        assert!(reply.iter().all(|&b| b == b'y'));
        server.close();
    });
}

#[test]
fn a_huge_shutdown_grace_waits_for_every_handler() {
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let mut buf = [0u8; 1];
            // Ends when the client closes, well after shutdown began.
            let _ = conn.read(&mut buf);
        })
        .unwrap();
        let client = TcpStream::connect(server.local_addr()).unwrap();
        task::yield_now(); // the connection is accepted
        let closer = task::fork(move || {
            time::sleep(Duration::from_millis(50));
            drop(client);
        });
        let report = server.shutdown(Duration::MAX);
        assert_eq!((report.finished, report.forced), (1, 0));
        closer.join().unwrap();
    });
}
