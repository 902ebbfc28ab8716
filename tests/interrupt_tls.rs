//! Interrupts on TLS streams: reads cut at random points stay whole, writes
//! cut after rustls took part of them close the stream (the peer sees a
//! truncation, never a torn message), and `Task::cancel` does the same as a
//! timeout. See `util::interrupt`.

mod util;

use std::time::Duration;

use silly::net::tcp::TcpStream;
use silly::net::tls::TlsStream;
use silly::{task, time};
use util::interrupt::{self, tls_pair, tls_server, Baseline, Scale};

#[test]
fn reads_cut_at_random_points_lose_nothing() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        drop(listener);
        interrupt::cut_reads(reader, writer, seed, Scale::from_env());
        base.assert_back();
    });
}

#[test]
fn writes_cut_at_random_points_close_or_stay_whole() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let (listener, config) = tls_server();
        interrupt::cut_writes(|| tls_pair(&listener, &config), seed, Scale::from_env());
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn cancel_cuts_a_read_whole_and_a_write_closed() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        interrupt::cancel_read(reader, writer);
        let (peer, writer) = tls_pair(&listener, &config);
        interrupt::cancel_write(writer, peer);
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn a_write_cut_before_sending_anything_stays_whole() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let (listener, config) = tls_server();
        let (peer, writer) = tls_pair(&listener, &config);
        interrupt::cut_waiting_write(writer, peer);
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn a_handshake_cut_midway_goes_on() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let (listener, config) = tls_server();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let client = TlsStream::client(tcp, "localhost", &config).unwrap();
        // Nobody has accepted yet: the client's hello waits for an answer.
        let cut = time::timeout(Duration::from_millis(20), || client.handshake());
        assert!(cut.is_err(), "the handshake waits for the server");
        let server = task::fork(move || {
            let (server, _) = listener.accept().unwrap();
            server.handshake().unwrap();
            server.write_all(b"hello").unwrap();
            server
        });
        client.handshake().unwrap();
        let mut buf = [0; 5];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        drop(server.join().unwrap());
        drop(client);
        base.assert_back();
    });
}
