//! Socket options set through the descriptor of our sockets (`AsFd`), as a
//! server does with `socket2` on accepted connections.

mod util;

use std::os::fd::AsRawFd;
use std::rc::Rc;

use silly::net::tcp::{self, TcpListener, TcpStream};
use silly::net::tls::{self, ClientConfig, ServerConfig};
use silly::net::Conn;
use socket2::SockRef;
use util::pki::Ca;

#[test]
fn accepted_tcp_streams_take_socket_options() {
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let socket = SockRef::from(&conn);
            assert!(!socket.keepalive().unwrap(), "off until asked for");
            socket.set_keepalive(true).unwrap();
            assert!(socket.keepalive().unwrap());
            // The same socket the stream uses: an option set on one side shows
            // on the other.
            assert!(conn.nodelay().unwrap());
            socket.set_tcp_nodelay(false).unwrap();
            assert!(!conn.nodelay().unwrap());
            let mut line = String::new();
            conn.read_line(&mut line).unwrap();
            conn.write_all(line.as_bytes()).unwrap();
        })
        .unwrap();
        let client = TcpStream::connect(server.local_addr()).unwrap();
        SockRef::from(&client)
            .set_recv_buffer_size(64 * 1024)
            .unwrap();
        assert!(SockRef::from(&client).recv_buffer_size().unwrap() >= 64 * 1024);
        client.write_all(b"still works\n").unwrap();
        let mut reply = String::new();
        client.read_line(&mut reply).unwrap();
        assert_eq!(reply, "still works\n");
        server.close();
    });
}

#[test]
fn listener_descriptor_shows_its_options() {
    silly::run(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let socket = SockRef::from(&listener);
        assert!(socket.reuse_address().unwrap(), "bind sets SO_REUSEADDR");
        assert_eq!(
            socket.local_addr().unwrap().as_socket(),
            Some(listener.local_addr().unwrap())
        );
    });
}

#[test]
fn tls_streams_and_conns_expose_the_tcp_socket() {
    let ca = Ca::new("socket options CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_config =
        ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let accepted = Rc::new(std::cell::Cell::new(false));
        let seen = accepted.clone();
        let server = tls::listen("127.0.0.1:0", server_config, move |stream| {
            assert_eq!(stream.as_raw_fd(), stream.tcp().as_raw_fd());
            SockRef::from(&stream).set_keepalive(true).unwrap();
            assert!(SockRef::from(stream.tcp()).keepalive().unwrap());
            let conn = Conn::from(stream);
            assert!(SockRef::from(&conn).keepalive().unwrap());
            conn.write_all(b"ok").unwrap();
            seen.set(true);
        })
        .unwrap();
        let stream = tls::connect(server.local_addr(), "localhost", &client_config).unwrap();
        let mut reply = [0u8; 2];
        stream.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"ok");
        let conn = Conn::from(TcpStream::connect(server.local_addr()).unwrap());
        assert_eq!(
            SockRef::from(&conn).peer_addr().unwrap().as_socket(),
            Some(server.local_addr())
        );
        drop(conn);
        assert!(accepted.get());
        server.close();
    });
}
