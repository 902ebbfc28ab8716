//! TLS has what TCP has: `TlsStream` and `Conn` carry the timeouts, socket
//! options and buffer-free waiting of `TcpStream`, and `TlsListener` the
//! accessors of `TcpListener`.

mod util;

use std::io::ErrorKind;
use std::os::fd::AsRawFd;
use std::time::Duration;

use silly::net::Conn;
use silly::{task, time};
use util::interrupt::{small_buffers, tls_pair, tls_server};

#[test]
fn tls_streams_and_conns_set_and_report_timeouts_and_nodelay() {
    silly::run(|| {
        let (listener, config) = tls_server();
        let (client, server) = tls_pair(&listener, &config);
        let ms = Duration::from_millis;
        assert_eq!(
            (client.read_timeout(), client.write_timeout()),
            (None, None)
        );
        client.set_write_timeout(Some(ms(250)));
        client.set_read_timeout(Some(ms(150)));
        assert_eq!(
            (client.read_timeout(), client.write_timeout()),
            (Some(ms(150)), Some(ms(250)))
        );
        assert_eq!(client.tcp().write_timeout(), Some(ms(250)));
        assert!(client.nodelay().unwrap(), "on by default, as TCP");
        client.set_nodelay(false).unwrap();
        assert!(!client.nodelay().unwrap());
        assert!(!client.tcp().nodelay().unwrap(), "the same socket");

        let conn = Conn::from(server);
        assert_eq!((conn.read_timeout(), conn.write_timeout()), (None, None));
        conn.set_read_timeout(Some(ms(10)));
        conn.set_write_timeout(Some(ms(20)));
        assert_eq!(
            (conn.read_timeout(), conn.write_timeout()),
            (Some(ms(10)), Some(ms(20)))
        );
        assert!(conn.nodelay().unwrap());
        conn.set_nodelay(false).unwrap();
        assert!(!conn.nodelay().unwrap());
    });
}

#[test]
fn a_tls_write_timeout_fires_when_the_peer_does_not_read() {
    silly::run(|| {
        let (listener, config) = tls_server();
        let (client, server) = tls_pair(&listener, &config);
        small_buffers(&client);
        small_buffers(&server);
        client.set_write_timeout(Some(Duration::from_millis(100)));
        // The server never reads: the write has to stop at its timeout.
        let err = client.write_all(&vec![7u8; 8 << 20]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert!(client.is_closed(), "part of the buffer had gone out");
        drop(server);
    });
}

#[test]
fn a_tls_stream_waits_for_data_without_a_buffer_then_reads_it_without_waiting() {
    silly::run(|| {
        let (listener, config) = tls_server();
        let (client, server) = tls_pair(&listener, &config);
        let mut buf = [0u8; 16];
        assert_eq!(
            client.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        let err = client
            .wait_readable(silly::time::deadline(Some(Duration::from_millis(30))))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let writer = task::fork(move || {
            time::sleep(Duration::from_millis(20));
            server.write_all(b"hello").unwrap();
            server
        });
        client.wait_readable(None).unwrap();
        assert_eq!(client.try_read(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        drop(writer.join().unwrap());
    });
}

#[test]
fn a_tls_listener_reports_close_and_shows_its_tcp_listener() {
    silly::run(|| {
        let (listener, _) = tls_server();
        assert_eq!(listener.as_raw_fd(), listener.tcp().as_raw_fd());
        assert_eq!(
            listener.tcp().local_addr().unwrap(),
            listener.local_addr().unwrap()
        );
        assert!(!listener.is_closed());
        listener.close();
        assert!(listener.is_closed());
        assert_eq!(
            listener.accept().unwrap_err().kind(),
            ErrorKind::ConnectionAborted
        );
    });
}
