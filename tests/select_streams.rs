//! `sync::Select` over `TlsStream` and `Conn` (TLS and plain): it wakes when
//! data arrives, counts bytes the stream already holds (decrypted or
//! buffered, which no socket event will announce again), and stays whole:
//! a select cut by a timeout, or returning another operation, loses nothing.

mod util;

use std::time::Duration;

use silly::net::tcp::TcpListener;
use silly::net::Conn;
use silly::sync::{channel, Select, Selectable};
use silly::{task, time};
use util::interrupt::{tcp_pair, tls_pair, tls_server};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A new socket counts as readable until a read finds it empty (the runtime
/// knows no better): one read that gives up at once settles that, so a
/// select then waits for data.
fn settle(conn: &Conn) {
    let err = conn
        .read_into(Some(std::time::Instant::now()), &mut Vec::new())
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
}

/// A plain and a TLS connection, as `Conn`s: (reader, writer) each, the
/// reader settled.
fn conn_pairs() -> Vec<(Conn, Conn)> {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let (a, b) = tcp_pair(&tcp);
    let (listener, config) = tls_server();
    let (c, d) = tls_pair(&listener, &config);
    let pairs: Vec<(Conn, Conn)> = vec![(a.into(), b.into()), (c.into(), d.into())];
    for (reader, _) in &pairs {
        settle(reader);
    }
    pairs
}

/// Waits in a select on `reader` and a channel that stays silent, while
/// `write` sends after a pause; the select must pick the reader.
fn wakes_on_data(what: &str, reader: &dyn Selectable, write: impl FnOnce() + 'static) {
    let (_tx, silent) = channel::<()>();
    let writer = task::fork(move || {
        time::sleep(ms(20));
        write();
    });
    let mut select = Select::new();
    select.recv(&silent);
    let stream = select.add(reader);
    assert!(
        select.try_ready().is_none(),
        "{what}: nothing has arrived yet"
    );
    assert_eq!(select.ready_timeout(ms(5_000)), Ok(stream));
    writer.join().unwrap();
}

#[test]
fn a_select_wakes_when_data_arrives_on_a_tls_stream() {
    silly::run(|| {
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        wakes_on_data("tls", &reader, move || writer.write_all(b"ping").unwrap());
        let mut buf = [0u8; 4];
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
    });
}

#[test]
fn a_select_wakes_when_data_arrives_on_a_conn() {
    silly::run(|| {
        for (reader, writer) in conn_pairs() {
            let what = if reader.is_tls() {
                "conn tls"
            } else {
                "conn tcp"
            };
            wakes_on_data(what, &reader, move || writer.write_all(b"ping").unwrap());
            let mut out = Vec::new();
            reader
                .read_into(time::deadline(Some(ms(5_000))), &mut out)
                .unwrap();
            assert_eq!(out, b"ping", "tls: {}", reader.is_tls());
        }
    });
}

/// After a read that took part of what arrived, the rest is in the stream
/// (decrypted by rustls, or in the read buffer), not in the socket: a select
/// must find it ready at once.
#[test]
fn bytes_already_decrypted_or_buffered_make_a_tls_stream_ready() {
    silly::run(|| {
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        writer.write_all(b"hello world").unwrap();
        let mut five = [0u8; 5];
        reader.read_exact(&mut five).unwrap();
        let mut select = Select::new();
        let i = select.add(&reader);
        assert_eq!(select.ready_timeout(ms(1_000)), Ok(i), "decrypted bytes");
        let mut rest = [0u8; 6];
        reader.read_exact(&mut rest).unwrap();
        assert_eq!(&rest, b" world");

        // `read_line` reads ahead: the second line waits in the read buffer.
        writer.write_all(b"one\ntwo\n").unwrap();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "one\n");
        assert_eq!(select.ready_timeout(ms(1_000)), Ok(i), "buffered bytes");
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "two\n");

        // All read: nothing is ready until more comes.
        assert_eq!(select.try_ready(), None);
    });
}

#[test]
fn bytes_already_held_make_a_conn_ready() {
    silly::run(|| {
        for (reader, writer) in conn_pairs() {
            writer.write_all(b"hello world").unwrap();
            let mut five = [0u8; 5];
            // Waits for the data, then takes part of it.
            let mut got = 0;
            while got < 5 {
                got += reader.read(&mut five[got..]).unwrap();
            }
            let mut select = Select::new();
            let i = select.add(&reader);
            assert_eq!(
                select.ready_timeout(ms(1_000)),
                Ok(i),
                "tls: {}",
                reader.is_tls()
            );
            let mut out = Vec::new();
            while out.len() < 6 {
                reader.read_into(None, &mut out).unwrap();
            }
            assert_eq!(&five, b"hello");
            assert_eq!(out, b" world");
        }
    });
}

/// A select that returns another operation, or is cut by a timeout while it
/// waits, takes nothing from the streams: every byte sent is read after it,
/// in order.
#[test]
fn a_select_cut_or_won_by_another_operation_loses_nothing() {
    silly::run(|| {
        for (reader, writer) in conn_pairs() {
            let (tx, other) = channel::<u32>();
            // Cut while waiting: nothing had arrived.
            let cut = time::timeout(ms(20), || {
                let mut select = Select::new();
                select.add(&reader);
                select.ready()
            });
            assert!(cut.is_err());
            // Both ready: the channel, first in turn, wins this round.
            writer.write_all(b"first ").unwrap();
            tx.send(1).unwrap();
            time::sleep(ms(10));
            let mut select = Select::new();
            let ic = select.recv(&other);
            let is = select.add(&reader);
            assert_eq!(select.ready(), ic);
            assert_eq!(other.try_recv(), Ok(1));
            // Cut again with data waiting (select returns at once; the cut
            // lands on the sleep after it).
            let cut = time::timeout(ms(10), || {
                let mut select = Select::new();
                select.add(&reader);
                select.ready();
                time::sleep(ms(1_000));
            });
            assert!(cut.is_err());
            writer.write_all(b"second").unwrap();
            assert_eq!(select.ready(), is);
            let mut out = Vec::new();
            while out.len() < 12 {
                if reader
                    .read_into(time::deadline(Some(ms(5_000))), &mut out)
                    .unwrap()
                    == 0
                {
                    break;
                }
            }
            assert_eq!(out, b"first second", "tls: {}", reader.is_tls());
        }
    });
}
