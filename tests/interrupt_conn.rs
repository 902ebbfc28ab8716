//! Interrupts through `Conn`, over TCP and over TLS: `read`, `read_into` and
//! `read_with` cut at random points lose nothing, writes cut midway close the
//! connection, and `Task::cancel` does the same as a timeout. See
//! `util::interrupt`.

mod util;

use silly::net::tcp::TcpListener;
use silly::net::Conn;
use util::interrupt::{self, tcp_pair, tls_pair, tls_server, Baseline, Scale};

/// Half the cuts over each transport: 200 in all, as for the other types.
fn scale() -> Scale {
    let scale = Scale::from_env();
    Scale {
        cuts: scale.cuts / 2,
        ..scale
    }
}

/// Conn pairs over a TCP listener.
fn tcp(listener: &TcpListener) -> (Conn, Conn) {
    let (a, b) = tcp_pair(listener);
    (a.into(), b.into())
}

#[test]
fn reads_cut_at_random_points_lose_nothing() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (reader, writer) = tcp(&listener);
        drop(listener);
        interrupt::cut_reads(reader, writer, seed, scale());
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        drop(listener);
        interrupt::cut_reads(Conn::from(reader), Conn::from(writer), seed, scale());
        base.assert_back();
    });
}

#[test]
fn writes_cut_at_random_points_close_or_stay_whole() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        interrupt::cut_writes(|| tcp(&listener), seed, scale());
        drop(listener);
        let (listener, config) = tls_server();
        interrupt::cut_writes(
            || {
                let (a, b) = tls_pair(&listener, &config);
                (Conn::from(a), Conn::from(b))
            },
            seed,
            scale(),
        );
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn cancel_cuts_a_read_whole_and_a_write_closed() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (reader, writer) = tcp(&listener);
        interrupt::cancel_read(reader, writer);
        let (peer, writer) = tcp(&listener);
        interrupt::cancel_write(writer, peer);
        drop(listener);
        let (listener, config) = tls_server();
        let (reader, writer) = tls_pair(&listener, &config);
        interrupt::cancel_read(Conn::from(reader), Conn::from(writer));
        let (peer, writer) = tls_pair(&listener, &config);
        interrupt::cancel_write(Conn::from(writer), Conn::from(peer));
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn a_write_cut_before_sending_anything_stays_whole() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (peer, writer) = tcp(&listener);
        interrupt::cut_waiting_write(writer, peer);
        drop(listener);
        let (listener, config) = tls_server();
        let (peer, writer) = tls_pair(&listener, &config);
        interrupt::cut_waiting_write(Conn::from(writer), Conn::from(peer));
        drop(listener);
        base.assert_back();
    });
}
