//! A writer facing a slow reader is suspended; nothing piles up in user space.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::{task, time};

const TOTAL: usize = 16 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

#[test]
fn sixteen_mib_to_a_slow_reader() {
    silly::run(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Rc::new(Cell::new(0usize)); // bytes the kernel took from the writer
        let acc = accepted.clone();
        let writer = task::fork(move || {
            let (conn, _) = listener.accept().unwrap();
            let mut rng = util::Rng::new(9);
            let mut chunk = vec![0u8; CHUNK];
            let mut sent = 0;
            while sent < TOTAL {
                rng.fill(&mut chunk);
                conn.write_all(&chunk).unwrap();
                sent += CHUNK;
                acc.set(sent);
            }
            conn.shutdown(std::net::Shutdown::Write).unwrap();
        });
        let client = TcpStream::connect(addr).unwrap();
        let rss_before = util::rss_kib();
        // Do not read for a while: the writer must stall once the socket buffers fill.
        time::sleep(Duration::from_millis(100));
        let stalled_at = accepted.get();
        assert!(
            stalled_at < TOTAL,
            "the writer finished 16 MiB with nobody reading"
        );
        assert!(!writer.is_finished());
        // Now read slowly, in small steps with pauses, and check the content.
        let mut rng = util::Rng::new(9);
        let mut expected = vec![0u8; CHUNK];
        let mut got = vec![0u8; CHUNK];
        let mut received = 0;
        let mut max_in_flight = 0;
        while received < TOTAL {
            rng.fill(&mut expected);
            client.read_exact(&mut got).unwrap();
            assert!(got == expected, "corrupted chunk at {received}");
            received += CHUNK;
            max_in_flight = max_in_flight.max(accepted.get() - received);
            if received % (2 * 1024 * 1024) == 0 {
                time::sleep(Duration::from_millis(5));
            }
        }
        let mut end = [0u8; 1];
        assert_eq!(client.read(&mut end).unwrap(), 0, "EOF after the data");
        writer.join().unwrap();
        // What the writer got ahead by is bounded by the kernel's socket buffers
        // (a few MiB on loopback), far below the 16 MiB sent.
        assert!(
            max_in_flight < TOTAL / 2,
            "writer ran {max_in_flight} bytes ahead"
        );
        let grown = util::rss_kib().saturating_sub(rss_before);
        assert!(
            grown < 8 * 1024,
            "RSS grew by {grown} KiB while moving 16 MiB"
        );
    });
}
