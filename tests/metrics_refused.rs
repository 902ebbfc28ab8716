//! A connection the accept loop cannot take (out of file descriptors) is
//! counted as refused, and once it is taken, as accepted and open.

use std::time::{Duration, Instant};

use silly::metrics;
use silly::net::tcp;
use silly::time;

#[test]
fn accept_failures_are_counted_as_refused() {
    // A low limit, so using every descriptor up is quick.
    let limit = libc::rlimit {
        rlim_cur: 256,
        rlim_max: 256,
    };
    // SAFETY: setrlimit reads the struct it is given; lowering is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let mut buf = [0u8; 1];
            let _ = conn.read_exact(&mut buf);
        })
        .unwrap();
        let before = metrics::collect().net;
        // Connected by the kernel (the listen backlog) before the accept loop
        // runs; it then finds no descriptor for it.
        let client = std::net::TcpStream::connect(server.local_addr()).unwrap();
        let mut files = Vec::new();
        while let Ok(f) = std::fs::File::open("/dev/null") {
            files.push(f);
        }
        time::sleep(Duration::from_millis(150));
        let starved = metrics::collect().net;
        drop(files);
        assert!(starved.connections_refused > before.connections_refused);
        assert_eq!(starved.connections_accepted, before.connections_accepted);
        let started = Instant::now();
        while metrics::collect().net.connections_accepted == before.connections_accepted {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "accepted at last"
            );
            time::sleep(Duration::from_millis(10));
        }
        let taken = metrics::collect().net;
        assert_eq!(taken.connections_open, before.connections_open + 1);
        drop(client);
        server.close();
    });
}
