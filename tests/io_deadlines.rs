//! Read and write deadlines: the reactor keeps one lazy timer per direction of a
//! socket instead of one per wait, so these check that every deadline still
//! fires when it should and not before, whatever order they were asked in.

mod util;

use std::io::ErrorKind;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::tcp::TcpStream;
use silly::{task, time};
use util::tcp_pair as pair;

/// Writes `bytes` on `stream` after `ms` milliseconds, from another task, so the
/// reader is parked (and its deadline armed) when they arrive.
fn send_later(stream: TcpStream, ms: u64, bytes: &'static [u8]) -> task::JoinHandle<TcpStream> {
    task::fork(move || {
        time::sleep(Duration::from_millis(ms));
        stream.write_all(bytes).unwrap();
        stream
    })
}

#[test]
fn a_shorter_timeout_after_a_longer_one_fires_on_time() {
    silly::run(|| {
        let (client, server) = pair();
        client.set_read_timeout(Some(Duration::from_secs(30)));
        let server = send_later(server, 50, b"x");
        let mut buf = [0u8; 16];
        assert_eq!(client.read(&mut buf).unwrap(), 1);
        // The 30 s timer of the first read may still be armed; this read must not
        // wait for it.
        client.set_read_timeout(Some(Duration::from_millis(100)));
        let start = Instant::now();
        let err = client.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        assert!(waited < Duration::from_secs(10), "{waited:?}");
        drop(server.join().unwrap());
    });
}

#[test]
fn a_longer_timeout_after_a_shorter_one_does_not_fire_early() {
    silly::run(|| {
        let (client, server) = pair();
        client.set_read_timeout(Some(Duration::from_millis(100)));
        let server = send_later(server, 10, b"x");
        let mut buf = [0u8; 16];
        assert_eq!(client.read(&mut buf).unwrap(), 1);
        // The first read's 100 ms timer fires while this read waits: it must not
        // time this read out, and must leave a timer for this read's deadline.
        client.set_read_timeout(Some(Duration::from_secs(5)));
        let server = send_later(server.join().unwrap(), 300, b"late");
        let start = Instant::now();
        assert_eq!(client.read(&mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"late");
        assert!(start.elapsed() >= Duration::from_millis(250));
        // Again, with nothing sent: the re-armed timer times it out.
        client.set_read_timeout(Some(Duration::from_millis(50)));
        let server = send_later(server.join().unwrap(), 10, b"y");
        assert_eq!(client.read(&mut buf).unwrap(), 1);
        client.set_read_timeout(Some(Duration::from_millis(300)));
        let start = Instant::now();
        assert_eq!(
            client.read(&mut buf).unwrap_err().kind(),
            ErrorKind::TimedOut
        );
        assert!(start.elapsed() >= Duration::from_millis(300));
        drop(server.join().unwrap());
    });
}

#[test]
fn waiters_on_one_socket_keep_their_own_deadlines() {
    silly::run(|| {
        let (client, server) = pair();
        // A fresh socket counts as readable until a read proves it empty.
        let mut buf = [0u8; 1];
        assert_eq!(
            client.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        let client = Rc::new(client);
        let start = Instant::now();
        let waiter = |ms: u64| {
            let client = client.clone();
            task::fork(move || {
                let result = client.wait_readable(Some(start + Duration::from_millis(ms)));
                (result.map_err(|e| e.kind()), start.elapsed())
            })
        };
        // Forked latest deadline first, so the earliest arrives last and must
        // replace the armed timer.
        let late = waiter(5_000);
        let middle = waiter(400);
        let early = waiter(100);
        let sender = task::fork(move || {
            time::sleep(Duration::from_millis(800));
            server.write_all(b"x").unwrap();
            server
        });
        let (early_result, early_at) = early.join().unwrap();
        assert_eq!(early_result, Err(ErrorKind::TimedOut));
        assert!(early_at >= Duration::from_millis(100), "{early_at:?}");
        let (middle_result, middle_at) = middle.join().unwrap();
        assert_eq!(middle_result, Err(ErrorKind::TimedOut));
        assert!(middle_at >= Duration::from_millis(400), "{middle_at:?}");
        assert!(middle_at < Duration::from_millis(800), "{middle_at:?}");
        let (late_result, late_at) = late.join().unwrap();
        assert_eq!(late_result, Ok(()));
        assert!(late_at >= Duration::from_millis(800), "{late_at:?}");
        drop(sender.join().unwrap());
    });
}

#[test]
fn deadline_timers_do_not_pile_up_and_go_with_the_socket() {
    silly::run(|| {
        let baseline = silly::stats().timers;
        let (client, server) = pair();
        client.set_read_timeout(Some(Duration::from_secs(60)));
        server.set_read_timeout(Some(Duration::from_secs(60)));
        let echo = task::fork(move || {
            let mut buf = [0u8; 64];
            loop {
                match server.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => server.write_all(&buf[..n]).unwrap(),
                    Err(err) => panic!("server read: {err}"),
                }
            }
        });
        let mut buf = [0u8; 64];
        for i in 0..1_000u32 {
            client.write_all(&i.to_le_bytes()).unwrap();
            client.read_exact(&mut buf[..4]).unwrap();
            assert_eq!(buf[..4], i.to_le_bytes());
            // One timer per waiting direction at most, however many reads.
            assert!(silly::stats().timers <= baseline + 2);
        }
        drop(client);
        echo.join().unwrap();
        assert_eq!(silly::stats().timers, baseline);
    });
}

#[test]
fn write_deadline_fires_when_the_peer_stops_reading() {
    silly::run(|| {
        let (client, _server) = pair();
        client.set_write_timeout(Some(Duration::from_millis(200)));
        let chunk = vec![0u8; 64 * 1024];
        let start = Instant::now();
        let err = loop {
            if let Err(err) = client.write_all(&chunk) {
                break err;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "never blocked");
        };
        assert_eq!(err.kind(), ErrorKind::TimedOut);
    });
}
