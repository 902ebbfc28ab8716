//! Randomized interrupts on WebSocket reads and writes: hundreds of 1 MiB
//! messages over ws:// and wss:// (and with permessage-deflate), each read
//! and each write under `time::timeout` with a random deadline, so cuts land
//! anywhere (in a header, a payload, between fragments, in a TLS record),
//! and the socket used again after each. The reader checks that every
//! message arrives once, intact and in order (a write cut short may drop its
//! message only if none of it went out), or that the connection ends
//! cleanly (over TLS, where a write cut short closes it): never a protocol
//! error, never a hang; and descriptors and coroutines come back to their
//! baseline.
//!
//! Seeded: the seed is printed; `SEED=n` replays it.

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::http;
use silly::net::tls;
use silly::net::websocket::{self, Compression, Config, Error, FrameType, Message, Socket};
use silly::time;
use util::interrupt::seed;
use util::pki::Ca;
use util::Rng;

/// Message size.
const SIZE: usize = 1 << 20;
/// A marker (the sequence number) every this many bytes, so a piece of one
/// message inside another is found.
const MARK_EVERY: usize = 64 * 1024;
/// Socket buffers, small so that a 1 MiB message waits for its reader many
/// times: the cuts land inside it.
const BUFFER: usize = 64 * 1024;

/// Messages per phase and transport: fewer in CI's slower debug runs.
fn messages(base: u64) -> u64 {
    if std::env::var("CI").as_deref() == Ok("true") {
        base / 2
    } else {
        base
    }
}

/// The message numbered `seq`: `base` with `seq` written at every mark.
fn message(base: &[u8], seq: u64) -> Vec<u8> {
    let mut data = base.to_vec();
    for at in (0..SIZE).step_by(MARK_EVERY) {
        data[at..at + 8].copy_from_slice(&seq.to_be_bytes());
    }
    data
}

/// The number of an intact message (panics on anything else).
fn check(base: &[u8], data: &[u8]) -> u64 {
    assert_eq!(data.len(), SIZE, "a message of the wrong size");
    let seq = u64::from_be_bytes(data[..8].try_into().unwrap());
    for at in (0..SIZE).step_by(MARK_EVERY) {
        assert_eq!(
            &data[at..at + 8],
            &seq.to_be_bytes(),
            "message {seq}: a foreign piece at {at}"
        );
        let end = (at + MARK_EVERY).min(SIZE);
        assert!(
            data[at + 8..end] == base[at + 8..end],
            "message {seq}: bytes changed in {at}..{end}"
        );
    }
    seq
}

/// What the two sides saw, shared (both run in this one thread).
#[derive(Default)]
struct Log {
    /// Messages whose write returned `Ok`: each must arrive.
    written: RefCell<Vec<u64>>,
    /// Messages the reader got, in order.
    read: RefCell<Vec<u64>>,
    cuts: Cell<u64>,
    /// Connections that ended early (TLS writes cut short).
    ended: Cell<u64>,
}

/// A random deadline: half the time one that cuts inside a 1 MiB transfer
/// through 64 KiB buffers (anywhere in it), else one that lets it finish.
fn deadline(rng: &RefCell<Rng>) -> Duration {
    let mut rng = rng.borrow_mut();
    if rng.below(2) == 0 {
        Duration::from_micros(rng.below(6_000))
    } else {
        Duration::from_secs(5)
    }
}

/// Writes messages `seq..end` with random cuts, until done or the
/// connection ends (over TLS a cut write ends it); returns the next number.
fn write_cut(
    sock: &Socket,
    base: &[u8],
    mut seq: u64,
    end: u64,
    log: &Log,
    rng: &RefCell<Rng>,
    tls: bool,
) -> u64 {
    while seq < end {
        let data = message(base, seq);
        match time::timeout(deadline(rng), || sock.write(&data, FrameType::Binary)) {
            Ok(Ok(())) => log.written.borrow_mut().push(seq),
            Err(_elapsed) => log.cuts.set(log.cuts.get() + 1),
            Ok(Err(Error::Aborted(why))) if tls => {
                assert!(sock.is_closed(), "{why}");
                log.ended.set(log.ended.get() + 1);
                return seq + 1;
            }
            Ok(Err(e)) => panic!("write {seq}: {e}"),
        }
        seq += 1;
    }
    // The last message cut short is finished (or the connection ends).
    match sock.flush() {
        Ok(()) => {}
        Err(Error::Aborted(_)) if tls => log.ended.set(log.ended.get() + 1),
        Err(e) => panic!("flush: {e}"),
    }
    seq
}

/// Reads with random cuts until "done", the peer's close, or (allowed only
/// when `may_end`) the connection's end; never a protocol error.
fn read_cut(sock: &Socket, base: &[u8], log: &Log, rng: &RefCell<Rng>, may_end: bool) {
    loop {
        match time::timeout(deadline(rng), || sock.read_message()) {
            Err(_elapsed) => log.cuts.set(log.cuts.get() + 1),
            Ok(Ok(Message::Binary(data))) => log.read.borrow_mut().push(check(base, &data)),
            Ok(Ok(Message::Text(t))) if t == "done" => return,
            Ok(Ok(Message::Close(_))) => return,
            Ok(Ok(other)) => panic!("unexpected {other:?}"),
            Ok(Err(e @ Error::Protocol { .. })) => panic!("protocol error: {e}"),
            Ok(Err(e)) if may_end => {
                assert!(sock.is_closed(), "{e}");
                return;
            }
            Ok(Err(e)) => panic!("read: {e}"),
        }
    }
}

fn small_buffers(sock: &Socket) {
    let s = socket2::SockRef::from(sock.conn());
    s.set_send_buffer_size(BUFFER).unwrap();
    s.set_recv_buffer_size(BUFFER).unwrap();
}

/// One transport: `wss` or not, compression or not.
struct Transport {
    name: &'static str,
    tls: Option<(tls::ServerConfig, tls::ClientConfig)>,
    compression: Option<Compression>,
}

/// Both directions over one transport, `count` messages each: the client
/// writes (cut) to the server reading (cut), then the server writes (cut)
/// to the client reading (cut).
fn run_transport(t: Transport, count: u64, base: Rc<Vec<u8>>, rng: Rc<RefCell<Rng>>) -> (u64, u64) {
    let log = Rc::new(Log::default());
    let is_tls = t.tls.is_some();
    let mut server_ws = Config::default();
    let mut client_ws = Config::default();
    if let Some(c) = t.compression {
        server_ws = server_ws.compression(Some(c));
        client_ws = client_ws.compression(Some(c));
    }
    if let Some((_, client_tls)) = &t.tls {
        client_ws = client_ws.tls(client_tls.clone());
    }
    // Server-side writing picks up where the last connection stopped.
    let next = Rc::new(Cell::new(0u64));
    let (srv_log, srv_base, srv_rng, srv_next) =
        (log.clone(), base.clone(), rng.clone(), next.clone());
    let handler = move |stream: &mut http::Stream| {
        let to_client = stream.target() == "/to-client";
        let Ok(sock) = websocket::upgrade_with(stream, server_ws.clone()) else {
            return;
        };
        small_buffers(&sock);
        if to_client {
            let end = srv_next.get() + count;
            let mut seq = srv_next.get();
            while seq < end && !sock.is_closed() {
                seq = write_cut(&sock, &srv_base, seq, end, &srv_log, &srv_rng, is_tls);
            }
            srv_next.set(seq);
            let _ = sock.write(b"done", FrameType::Text);
            let _ = sock.read_message(); // the client's close
        } else {
            read_cut(&sock, &srv_base, &srv_log, &srv_rng, is_tls);
        }
    };
    let http_config = http::Config::default().tls(t.tls.as_ref().map(|(server, _)| server.clone()));
    let server = http::listen_with("127.0.0.1:0", http_config, handler).unwrap();
    let scheme = if is_tls { "wss" } else { "ws" };
    let url = |path: &str| format!("{scheme}://127.0.0.1:{}{path}", server.local_addr().port());

    // Client to server: connections until `count` messages were tried.
    let mut seq = 0;
    while seq < count {
        let sock = websocket::connect_with(&url("/from-client"), &[], client_ws.clone()).unwrap();
        assert_eq!(sock.is_compressed(), t.compression.is_some());
        small_buffers(&sock);
        seq = write_cut(&sock, &base, seq, count, &log, &rng, is_tls);
        if !sock.is_closed() {
            sock.write(b"done", FrameType::Text).unwrap();
            sock.close().unwrap();
        }
    }
    settle(&log, is_tls, t.name, "client to server");

    // Server to client, as many, numbered on.
    next.set(count);
    log.written.borrow_mut().clear();
    log.read.borrow_mut().clear();
    while next.get() < 2 * count {
        let sock = websocket::connect_with(&url("/to-client"), &[], client_ws.clone()).unwrap();
        small_buffers(&sock);
        read_cut(&sock, &base, &log, &rng, is_tls);
        let _ = sock.close();
    }
    settle(&log, is_tls, t.name, "server to client");
    server.close();
    (log.cuts.get(), log.ended.get())
}

/// Waits for the reader to catch up, then checks what it read against what
/// was written: in order, each at most once, every `Ok` write there.
fn settle(log: &Log, tls: bool, name: &str, phase: &str) {
    let limit = Instant::now() + Duration::from_secs(10);
    loop {
        let written = log.written.borrow().clone();
        let read = log.read.borrow().clone();
        assert!(
            read.windows(2).all(|w| w[0] < w[1]),
            "{name} {phase}: out of order or twice: {read:?}"
        );
        let missing: Vec<u64> = written
            .iter()
            .filter(|s| !read.contains(s))
            .copied()
            .collect();
        // Over TLS, an `Ok` write just before a cut that ended the
        // connection may have been in flight: lost with the connection.
        if missing.is_empty() || (tls && log.ended.get() > 0 && Instant::now() > limit) {
            println!(
                "{name} {phase}: {} written whole, {} read",
                written.len(),
                read.len()
            );
            if tls {
                assert!(
                    missing.len() as u64 <= log.ended.get() * 2,
                    "{name} {phase}: lost {missing:?}"
                );
            }
            return;
        }
        assert!(
            Instant::now() < limit,
            "{name} {phase}: never arrived: {missing:?}"
        );
        time::sleep(Duration::from_millis(20));
    }
}

#[test]
fn random_cuts_leave_every_message_whole() {
    let _serial = util::serial();
    let seed = seed();
    let fds = util::fd_count();
    silly::run(move || {
        let tasks = silly::stats().live_tasks;
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let mut base = vec![0u8; SIZE];
        rng.borrow_mut().fill(&mut base);
        let base = Rc::new(base);
        let ca = Ca::new("interrupt test CA");
        let leaf = ca.leaf(&["127.0.0.1"]);
        let server_tls =
            tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
        let client_tls = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
        let transports = [
            (
                Transport {
                    name: "ws",
                    tls: None,
                    compression: None,
                },
                messages(300),
            ),
            (
                Transport {
                    name: "wss",
                    tls: Some((server_tls, client_tls)),
                    compression: None,
                },
                messages(100),
            ),
            (
                Transport {
                    name: "ws+deflate",
                    tls: None,
                    compression: Some(Compression::per_connection()),
                },
                messages(12),
            ),
        ];
        for (t, count) in transports {
            let name = t.name;
            let started = Instant::now();
            let (cuts, ended) = run_transport(t, count, base.clone(), rng.clone());
            println!(
                "{name}: {} messages, {cuts} cuts, {ended} connections ended by a cut, {:?}",
                2 * count,
                started.elapsed()
            );
            assert!(cuts > 0, "{name}: no cut landed");
        }
        // Coroutines back to where they were (server handlers end as their
        // clients close).
        let limit = Instant::now() + Duration::from_secs(5);
        while silly::stats().live_tasks > tasks && Instant::now() < limit {
            time::sleep(Duration::from_millis(20));
        }
        assert_eq!(silly::stats().live_tasks, tasks, "coroutines left behind");
    });
    assert_eq!(util::fd_count(), fds, "descriptors left open");
}
