//! Interrupts (`time::timeout`) on `ServeDir::serve_path`, cut at random
//! points: before the head is sent the handler can still answer (here 503)
//! and the connection goes on; after it, the response is left short of its
//! Content-Length and the connection closes. Either way the client never
//! gets a wrong byte, and nothing is left behind: every pool job ends, every
//! connection's coroutine too (the runtime's stats come back to where they
//! were). Seeded (`SEED=` replays).

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, ServeDir, ServeDirConfig};
use silly::net::tcp::TcpStream;
use silly::time;
use util::files::TempDir;
use util::Rng;

/// What one request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Whole,
    /// The handler was cut before the head and answered 503.
    Refused,
    /// The head came, the body stopped short, the connection closed.
    Short,
}

/// Sends one GET on `conn` and reads the answer, checking every body byte
/// against `content`.
fn get(conn: &TcpStream, content: &[u8]) -> Got {
    conn.write_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let n = conn.read_until(b'\n', &mut head).unwrap();
        assert!(n > 0, "the connection closed inside a head: {head:?}");
    }
    let head = String::from_utf8(head).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut body = vec![0u8; length];
    let mut got = 0;
    while got < length {
        match conn.read(&mut body[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    match util::status_of(&head) {
        503 => {
            assert_eq!(&body[..got], b"cut");
            Got::Refused
        }
        200 => {
            assert!(body[..got] == content[..got], "a wrong byte before {got}");
            if got == length {
                Got::Whole
            } else {
                let mut rest = [0u8; 1];
                assert!(
                    matches!(conn.read(&mut rest), Ok(0) | Err(_)),
                    "a short body must end its connection"
                );
                Got::Short
            }
        }
        other => panic!("status {other}: {head}"),
    }
}

#[test]
fn serve_cut_at_random_points_leaves_nothing_torn_or_behind() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xf11e_c075);
    println!("SEED={seed}");
    let requests = if std::env::var("CI").is_ok_and(|v| v == "true") {
        40
    } else {
        80
    };
    let mut rng = Rng::new(seed);
    let mut content = vec![0u8; 256 * 1024 + 77];
    rng.fill(&mut content);
    let root = TempDir::new("interrupt-files");
    root.write("big.bin", &content);
    silly::run(move || {
        let config = ServeDirConfig::default().chunk_bytes(8 * 1024);
        let dir = ServeDir::new_with(root.path(), config).unwrap();
        let rng = Rc::new(RefCell::new(Rng::new(seed ^ 0x5555)));
        let server = http::listen("127.0.0.1:0", move |s| {
            // A third of the requests uncut, a third cut early (most often
            // while the file is looked up), a third within 6 ms.
            let cut = {
                let mut rng = rng.borrow_mut();
                match rng.below(3) {
                    0 => None,
                    1 => Some(Duration::from_micros(rng.below(200))),
                    _ => Some(Duration::from_micros(rng.below(6000))),
                }
            };
            let Some(cut) = cut else {
                return dir.serve_path(s).unwrap();
            };
            if time::timeout(cut, || dir.serve_path(s)).is_err() {
                // Refused (nothing done) when the head is already out.
                let _ = s.reply(503, &[], b"cut");
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let baseline = silly::stats();

        let mut tally = [0usize; 3];
        let mut conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)));
        for _ in 0..requests {
            let got = get(&conn, &content);
            tally[got as usize] += 1;
            if got == Got::Short {
                conn = TcpStream::connect(addr).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(10)));
            }
        }
        drop(conn);
        println!(
            "whole {}, refused {}, short {}",
            tally[0], tally[1], tally[2]
        );
        assert!(tally[0] > 0, "some requests must be whole: {tally:?}");
        assert!(
            tally[1] + tally[2] > 0,
            "some requests must be cut: {tally:?}"
        );

        // Cut reads finish on the pool; the connections' coroutines end.
        for _ in 0..200 {
            let now = silly::stats();
            if now.blocking_calls == 0 && now.live_tasks == baseline.live_tasks {
                break;
            }
            time::sleep(Duration::from_millis(10));
        }
        let now = silly::stats();
        assert_eq!(now.blocking_calls, 0, "{now:?}");
        assert_eq!(
            now.live_tasks, baseline.live_tasks,
            "{now:?} vs {baseline:?}"
        );
        assert_eq!(
            now.registrations, baseline.registrations,
            "{now:?} vs {baseline:?}"
        );
        server.close();
    });
}
