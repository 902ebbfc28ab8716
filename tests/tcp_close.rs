//! Half-close, peer close, reset, read timeouts.

mod util;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::{task, time};

#[test]
fn half_close_lets_the_other_direction_continue() {
    silly::run(|| {
        let (client, server) = util::tcp_pair();
        client.write_all(b"request").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = server.read(&mut buf).unwrap();
            if n == 0 {
                break; // EOF only after all the data
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"request");
        assert_eq!(server.read(&mut buf).unwrap(), 0, "EOF stays EOF");
        server.write_all(b"response").unwrap();
        drop(server);
        let mut reply = Vec::new();
        loop {
            let n = client.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
        assert_eq!(reply, b"response");
    });
}

#[test]
fn peer_reset_is_a_clear_error() {
    silly::run(|| {
        let (client, server) = util::tcp_pair();
        // Closing a socket with unread data makes the kernel send RST.
        server.write_all(b"unread").unwrap();
        time::sleep(Duration::from_millis(10));
        drop(client);
        let mut buf = [0u8; 16];
        let err = server.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    });
}

#[test]
fn read_timeout_then_the_stream_still_works() {
    silly::run(|| {
        let (client, server) = util::tcp_pair();
        server.set_read_timeout(Some(Duration::from_millis(20)));
        let mut buf = [0u8; 8];
        let err = server.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(silly::stats().timers, 0, "the timeout's timer is gone");
        client.write_all(b"late").unwrap();
        let n = server.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"late");
        // Data arriving before the deadline cancels the timeout.
        let c2 = task::fork(move || {
            time::sleep(Duration::from_millis(5));
            client.write_all(b"x").unwrap();
            client
        });
        assert_eq!(server.read(&mut buf).unwrap(), 1);
        drop(c2.join().unwrap());
    });
}

#[test]
fn write_timeout_when_the_peer_never_reads() {
    silly::run(|| {
        let (_client, server) = util::tcp_pair();
        server.set_write_timeout(Some(Duration::from_millis(50)));
        let chunk = vec![0u8; 1024 * 1024];
        let err = (0..64)
            .find_map(|_| server.write_all(&chunk).err())
            .expect("a write stalls");
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    });
}

#[test]
fn connect_refused_and_bad_addresses() {
    silly::run(|| {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The listener is dropped: nothing listens on that port now.
        let err = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        let err = TcpStream::connect("no port here").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = TcpListener::bind("::1:80").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    });
}

#[test]
fn silly_address_forms() {
    silly::run(|| {
        let any = TcpListener::bind(":0").unwrap();
        let port = any.local_addr().unwrap().port();
        assert!(any.local_addr().unwrap().ip().is_unspecified());
        let accept = task::fork(move || any.accept().map(|(_, peer)| peer));
        // A name, resolved on the blocking pool.
        let by_name = TcpStream::connect(format!("localhost:{port}")).unwrap();
        assert_eq!(
            accept.join().unwrap().unwrap(),
            by_name.local_addr().unwrap()
        );

        let v6 = TcpListener::bind("[::1]:0").unwrap();
        let addr = v6.local_addr().unwrap();
        assert!(addr.is_ipv6());
        let accept = task::fork(move || v6.accept().map(|_| ()));
        TcpStream::connect(format!("[::1]:{}", addr.port())).unwrap();
        accept.join().unwrap().unwrap();
    });
}

#[test]
fn closing_a_listener_wakes_its_acceptor() {
    silly::run(|| {
        let listener = std::rc::Rc::new(TcpListener::bind("127.0.0.1:0").unwrap());
        let l = listener.clone();
        let acceptor = task::fork(move || l.accept().map(|_| ()));
        task::yield_now();
        listener.close();
        let err = acceptor.join().unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionAborted);
    });
}

#[test]
fn read_line_keeps_a_partial_line_across_a_timeout() {
    silly::run(|| {
        let (client, server) = util::tcp_pair();
        server.set_read_timeout(Some(Duration::from_millis(30)));
        client.write_all(b"HEL").unwrap();
        let mut line = String::new();
        let err = server.read_line(&mut line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert_eq!(line, "HEL", "bytes read before the timeout are kept");
        client.write_all(b"LO\n").unwrap();
        server.read_line(&mut line).unwrap();
        assert_eq!(line, "HELLO\n");
    });
}

#[test]
fn server_close_closes_the_listening_socket() {
    silly::run(|| {
        let server = silly::net::tcp::listen("127.0.0.1:0", |_| {}).unwrap();
        let addr = server.local_addr();
        TcpStream::connect(addr).unwrap();
        server.close();
        task::yield_now(); // the accept loop sees the close and drops the listener
        let err = TcpStream::connect(addr).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}
