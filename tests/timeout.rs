//! Deadlines over blocks of code (`time::timeout`) and on single waits
//! (`recv_timeout`, `join_timeout`).

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::tcp::TcpStream;
use silly::sync::{self, RecvTimeoutError};
use silly::task;
use silly::time::{self, Elapsed};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_blocked_read_is_interrupted_and_its_socket_closed() {
    let _serial = util::serial();
    let fds = util::fd_count();
    silly::run(|| {
        let listener = silly::net::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let base = silly::stats();
        let started = Instant::now();
        let r = time::timeout(ms(50), || {
            let conn = TcpStream::connect(addr).unwrap();
            let mut buf = [0u8; 8];
            conn.read(&mut buf) // never answered
        });
        assert_eq!(r.unwrap_err(), Elapsed);
        assert!(started.elapsed() >= ms(50));
        let (accepted, _) = listener.accept().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(
            accepted.read(&mut buf).unwrap(),
            0,
            "the client side closed"
        );
        drop(accepted);
        let now = silly::stats();
        assert_eq!(now.timers, base.timers);
        assert_eq!(now.registrations, base.registrations);
    });
    assert_eq!(util::fd_count(), fds);
}

#[test]
fn work_that_finishes_in_time_returns_its_value_and_leaves_no_timer() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let r = time::timeout(ms(500), || {
            time::sleep(ms(5));
            42
        });
        assert_eq!(r, Ok(42));
        assert_eq!(silly::stats().timers, 0);
        // Later blocking calls are not interrupted by the finished scope.
        time::sleep(ms(10));
    });
}

#[test]
fn timeouts_nest_and_the_outer_one_wins_when_both_pass() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let inner_result = Rc::new(Cell::new(None));
        let ir = inner_result.clone();
        let outer = time::timeout(ms(20), move || {
            let inner = time::timeout(ms(5_000), || time::sleep(ms(60_000)));
            ir.set(Some(inner.is_err()));
        });
        assert_eq!(outer, Err(Elapsed));
        assert_eq!(inner_result.get(), None, "the inner scope did not return");

        let outer = time::timeout(ms(5_000), || {
            let inner = time::timeout(ms(10), || time::sleep(ms(60_000)));
            time::sleep(ms(1)); // the outer work goes on after the inner timeout
            inner
        });
        assert_eq!(outer, Ok(Err(Elapsed)));
        assert_eq!(silly::stats().timers, 0);
    });
}

#[test]
fn a_panic_inside_the_scope_continues_from_timeout() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let h = task::fork(|| {
            let _ = time::timeout(ms(500), || -> u32 { panic!("inside") });
        });
        let err = h.join().unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.message(), Some("inside"));
    });
}

#[test]
fn elapsed_converts_to_an_io_timeout() {
    let _serial = util::serial(); // fds are counted process-wide
    let err: std::io::Error = Elapsed.into();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn recv_timeout_times_out_delivers_and_reports_close() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        let started = Instant::now();
        assert_eq!(rx.recv_timeout(ms(20)), Err(RecvTimeoutError::Timeout));
        assert!(started.elapsed() >= ms(20));
        let sender = task::fork(move || {
            time::sleep(ms(5));
            tx.send(9).unwrap();
        });
        assert_eq!(rx.recv_timeout(ms(5_000)), Ok(9));
        sender.join().unwrap();
        assert_eq!(rx.recv_timeout(ms(5_000)), Err(RecvTimeoutError::Closed));
        assert_eq!(silly::stats().timers, 0);
    });
}

#[test]
fn a_timed_out_receiver_takes_no_later_message() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        let rx2 = rx.clone();
        let impatient = task::fork(move || rx2.recv_timeout(ms(5)));
        let patient = task::fork(move || rx.recv());
        assert_eq!(impatient.join().unwrap(), Err(RecvTimeoutError::Timeout));
        tx.send(3).unwrap();
        assert_eq!(patient.join().unwrap(), Ok(3));
    });
}

#[test]
fn join_timeout_gives_the_handle_back() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let h = task::fork(|| {
            time::sleep(ms(30));
            "done"
        });
        let err = h.join_timeout(ms(1)).unwrap_err();
        assert!(err.is_timeout());
        let h = err.into_handle().expect("a timeout gives the handle back");
        assert!(!h.is_finished());
        assert_eq!(h.join_timeout(ms(5_000)).unwrap(), "done");
        assert_eq!(silly::stats().timers, 0);
    });
}
