//! The limit on connections per client address: with a limit of N, N
//! connections from one address are served, the next is closed at once and
//! counted, and when one closes another is served again; over IPv4 and IPv6.

mod util;

use std::time::Duration;

use silly::net::tcp::{self, TcpStream};
use util::wait_until;

const N: usize = 3;

/// Whether `conn` was closed by the server (EOF or reset) rather than held
/// open (a read that times out).
fn was_closed(conn: &TcpStream) -> bool {
    conn.set_read_timeout(Some(Duration::from_millis(200)));
    match conn.read(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => panic!("the server sends nothing"),
        Err(err) if err.kind() == std::io::ErrorKind::TimedOut => false,
        Err(_) => true,
    }
}

fn n_allowed_then_refused_then_one_more(addr: &'static str) {
    silly::run(move || {
        let runtime_refused = tcp::refused_connections();
        // Each handler holds its connection until the client closes it.
        let server = tcp::listen(addr, |conn| {
            while conn.read(&mut [0u8; 64]).is_ok_and(|n| n > 0) {}
        })
        .unwrap();
        assert_eq!(server.max_connections_per_ip(), None, "off by default");
        server.set_max_connections_per_ip(Some(N)).unwrap();
        assert_eq!(server.max_connections_per_ip(), Some(N));

        let mut held: Vec<TcpStream> = (0..N)
            .map(|_| TcpStream::connect(server.local_addr()).unwrap())
            .collect();
        wait_until("N connections served", || server.connections() == N);

        let extra = TcpStream::connect(server.local_addr()).unwrap();
        assert!(was_closed(&extra), "connection N+1 is closed at once");
        assert_eq!(server.refused_connections(), 1);
        assert_eq!(tcp::refused_connections(), runtime_refused + 1);
        assert_eq!(server.connections(), N, "no handler ran for it");
        assert!(held.iter().all(|c| !was_closed(c)), "the N stay open");

        drop(held.pop());
        wait_until("one closed", || server.connections() == N - 1);
        let again = TcpStream::connect(server.local_addr()).unwrap();
        wait_until("one more served", || server.connections() == N);
        assert!(!was_closed(&again), "its place was given back");
        assert_eq!(server.refused_connections(), 1);

        let refused = TcpStream::connect(server.local_addr()).unwrap();
        assert!(was_closed(&refused), "and the limit still holds");
        assert_eq!(server.refused_connections(), 2);

        // Lifted: everyone is served.
        server.set_max_connections_per_ip(None).unwrap();
        let free = TcpStream::connect(server.local_addr()).unwrap();
        wait_until("served without a limit", || server.connections() == N + 1);
        assert!(!was_closed(&free));
        assert_eq!(tcp::refused_connections(), runtime_refused + 2);
        assert!(
            server.set_max_connections_per_ip(Some(0)).is_err(),
            "0 refused"
        );
        server.close();
    });
}

#[test]
fn ipv4() {
    n_allowed_then_refused_then_one_more("127.0.0.1:0");
}

#[test]
fn ipv6() {
    n_allowed_then_refused_then_one_more("[::1]:0");
}
