//! `TcpStream::connect_timeout` and `tls::connect` bound name resolution
//! too: with every resolver thread busy, a connect to a name gives up at its
//! timeout instead of queueing behind the lookups.

mod util;

use std::io::ErrorKind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use silly::net::dns::RESOLVER;
use silly::net::tcp::{self, TcpStream};
use silly::net::tls::{self, ClientConfig};
use silly::task;

/// Longer than any timeout below: while it runs, no lookup can start.
const BUSY: Duration = Duration::from_secs(1);

#[test]
fn a_connect_timeout_bounds_a_lookup_that_cannot_start() {
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |_| {}).unwrap();
        let target = format!("localhost:{}", server.local_addr().port());
        // RESOLVER has 4 threads: fill them all.
        let done = Arc::new(AtomicUsize::new(0));
        let busy: Vec<_> = (0..4)
            .map(|_| {
                let done = done.clone();
                task::fork(move || {
                    RESOLVER.run(move || {
                        std::thread::sleep(BUSY);
                        done.fetch_add(1, Ordering::SeqCst);
                    })
                })
            })
            .collect();
        task::yield_now();

        let timeout = Some(Duration::from_millis(100));
        let err = TcpStream::connect_timeout(target.as_str(), timeout).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        let config = ClientConfig::default().handshake_timeout(timeout);
        let err = tls::connect(target.as_str(), "localhost", &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert_eq!(
            done.load(Ordering::SeqCst),
            0,
            "both gave up while no lookup could start"
        );

        for job in busy {
            job.join().unwrap();
        }
        // Free again: the same name connects.
        TcpStream::connect_timeout(target.as_str(), Some(Duration::from_secs(5))).unwrap();
        server.close();
    });
}
