//! Faults under load: slow consumers, disconnect storms, panicking handlers,
//! slow handshakes, broken TLS. The server must go on, bounded, leaking nothing.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::http::{self, Config, Timeouts};
use silly::net::tcp::TcpStream;
use silly::net::tls;
use silly::net::websocket::{self, FrameType};
use silly::{task, time};
use util::pki::Ca;

/// Waits (bounded) until the runtime's counts and the fds return to `base`.
fn settle_to(base_fds: usize, base: silly::Stats) -> (usize, silly::Stats) {
    for _ in 0..400 {
        let now = silly::stats();
        if util::fd_count() <= base_fds
            && now.live_tasks <= base.live_tasks
            && now.registrations <= base.registrations
        {
            break;
        }
        time::sleep(Duration::from_millis(10));
    }
    (util::fd_count(), silly::stats())
}

#[test]
fn slow_consumer_is_bounded_and_does_not_slow_the_others() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let mut config = websocket::Config::default();
            config.write_timeout = Some(Duration::from_millis(500));
            let Ok(sock) = websocket::upgrade_with(stream, config) else {
                return;
            };
            let chunk = vec![7u8; 16 * 1024];
            // Stream to this client until it fails (a timeout for a stalled client).
            while sock.write(&chunk, FrameType::Binary).is_ok() {}
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let before = util::rss_kib();
        let stalled = websocket::connect(&url, &[]).unwrap(); // never reads
        let reader = websocket::connect(&url, &[]).unwrap();
        let start = Instant::now();
        let mut got = 0usize;
        let mut slowest = Duration::ZERO;
        while start.elapsed() < Duration::from_millis(1500) {
            let t = Instant::now();
            let (data, _) = reader.read().unwrap();
            slowest = slowest.max(t.elapsed());
            got += data.len();
        }
        let grown = util::rss_kib().saturating_sub(before);
        assert!(
            got > 8 * 1024 * 1024,
            "the reading client kept receiving: {got} bytes"
        );
        assert!(
            slowest < Duration::from_millis(400),
            "no stall from the stalled neighbour: {slowest:?}"
        );
        assert!(
            grown < 16 * 1024,
            "server memory grew {grown} KiB with a stalled client"
        );
        // The stalled client was cut off by the write timeout: its connection ends.
        let mut ended = false;
        for _ in 0..2000 {
            match stalled.read() {
                Ok(_) => {}
                Err(_) => {
                    ended = true;
                    break;
                }
            }
        }
        assert!(ended, "the stalled connection was closed by the server");
        server.close();
    });
}

#[test]
fn disconnect_storm_leaves_nothing_behind() {
    let _serial = util::serial();
    silly::run(|| {
        let server = util::ws::echo_server();
        let addr = server.local_addr();
        let base_fds = util::fd_count();
        let base = silly::stats();
        let clients: usize = if std::env::var("CI").is_ok() {
            400
        } else {
            1000
        };
        let wg = silly::sync::WaitGroup::new();
        for i in 0..clients {
            wg.fork(move || {
                let Ok(conn) = util::ws::open_raw(addr, "/") else {
                    return;
                };
                match i % 3 {
                    // Half a frame, then FIN.
                    0 => conn
                        .write_all(&[0x82, 0x80 | 100, 1, 2, 3, 4, 9, 9, 9])
                        .unwrap(),
                    // A ping whose pong is never read, then close: the unread pong makes
                    // the kernel send RST.
                    1 => {
                        conn.write_all(&[0x89, 0x80, 1, 2, 3, 4]).unwrap();
                        time::sleep(Duration::from_millis(5));
                    }
                    // Just the header of a frame.
                    _ => conn.write_all(&[0x81]).unwrap(),
                }
                drop(conn);
            });
        }
        wg.wait();
        let (fds, stats) = settle_to(base_fds, base);
        assert_eq!(fds, base_fds, "fds back to baseline");
        assert_eq!(
            stats.live_tasks, base.live_tasks,
            "coroutines back to baseline"
        );
        assert_eq!(
            stats.registrations, base.registrations,
            "registrations back to baseline"
        );
        server.close();
    });
}

#[test]
fn panicking_handlers_under_load() {
    let _serial = util::serial();
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let n: u32 = s.query_get("n").and_then(|v| v.parse().ok()).unwrap_or(0);
            if n % 10 == 0 {
                panic!("handler bug on request {n}");
            }
            s.reply(200, &[], b"ok").unwrap();
        })
        .unwrap();
        let base_fds = util::fd_count();
        let base = silly::stats();
        let ok = Rc::new(Cell::new(0));
        let failed = Rc::new(Cell::new(0));
        let wg = silly::sync::WaitGroup::new();
        let addr = server.local_addr();
        for c in 0..50u32 {
            let (ok, failed) = (ok.clone(), failed.clone());
            wg.fork(move || {
                let client = http::Client::default();
                for i in 0..40u32 {
                    let n = c * 40 + i;
                    let r = client.get(&format!("http://{addr}/?n={n}")).unwrap();
                    match r.status {
                        200 => ok.set(ok.get() + 1),
                        500 => failed.set(failed.get() + 1),
                        s => panic!("unexpected status {s}"),
                    }
                }
            });
        }
        wg.wait();
        assert_eq!((ok.get(), failed.get()), (1800, 200));
        let (fds, stats) = settle_to(base_fds, base);
        assert!(fds <= base_fds, "fds {fds} > {base_fds}");
        assert!(stats.live_tasks <= base.live_tasks);
        server.close();
    });
}

#[test]
fn slowloris_on_the_websocket_handshake() {
    let _serial = util::serial();
    silly::run(|| {
        let mut timeouts = Timeouts::default();
        timeouts.request_head = Some(Duration::from_millis(300));
        let server = http::listen_with(
            "127.0.0.1:0",
            Config::default().timeouts(timeouts),
            |stream| {
                if let Ok(sock) = websocket::upgrade(stream) {
                    while let Ok((data, kind @ (FrameType::Text | FrameType::Binary))) = sock.read()
                    {
                        let _ = sock.write(&data, kind);
                    }
                }
            },
        )
        .unwrap();
        let addr = server.local_addr();
        let slow: Vec<_> = (0..20)
            .map(|_| {
                task::fork(move || {
                    let conn = TcpStream::connect(addr).unwrap();
                    let start = Instant::now();
                    for b in b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    {
                        if conn.write_all(&[*b]).is_err() {
                            break;
                        }
                        time::sleep(Duration::from_millis(50));
                        let mut probe = [0u8; 256];
                        conn.set_read_timeout(Some(Duration::from_millis(1)));
                        if conn.read(&mut probe).is_ok() {
                            break; // 408 or EOF: cut off
                        }
                    }
                    start.elapsed()
                })
            })
            .collect();
        // Meanwhile a normal client is served.
        let sock = websocket::connect(&format!("ws://{addr}/"), &[]).unwrap();
        sock.write(b"hello", FrameType::Text).unwrap();
        assert_eq!(sock.read().unwrap().0, b"hello");
        for s in slow {
            let lasted = s.join().unwrap();
            assert!(
                lasted < Duration::from_secs(2),
                "slow handshake cut off after {lasted:?}"
            );
        }
        server.close();
    });
}

#[test]
fn tls_faults_do_not_stop_the_server() {
    let _serial = util::serial();
    let ca = Ca::new("fault CA");
    let leaf = ca.leaf(&["good.test"]);
    let config = tls::ServerConfig::default()
        .sni_cert(
            "good.test",
            leaf.cert_pem.as_bytes(),
            leaf.key_pem.as_bytes(),
        )
        .unwrap()
        .handshake_timeout(Some(Duration::from_millis(300)));
    let client = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", config, |s| {
            let mut buf = [0u8; 16];
            if let Ok(n) = s.read(&mut buf) {
                let _ = s.write_all(&buf[..n]);
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let base_fds = util::fd_count();
        // Plain bytes, a truncated ClientHello, and a name with no certificate.
        let plain = TcpStream::connect(addr).unwrap();
        plain.write_all(b"hello? this is not TLS\r\n\r\n").unwrap();
        let truncated = TcpStream::connect(addr).unwrap();
        truncated
            .write_all(&[
                0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
            ])
            .unwrap();
        drop(truncated);
        let err = tls::connect(addr, "other.test", &client).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
        // The server still serves a good client.
        let good = tls::connect(addr, "good.test", &client).unwrap();
        good.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        good.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        drop((plain, good));
        time::sleep(Duration::from_millis(400)); // handshake timeouts expire
        for _ in 0..100 {
            if util::fd_count() <= base_fds {
                break;
            }
            time::sleep(Duration::from_millis(10));
        }
        assert!(util::fd_count() <= base_fds, "no socket left open");
        server.close();
    });
}
