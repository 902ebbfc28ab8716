//! Every timed wait of the runtime has one shape: `Result<T, E>` where `E`
//! answers `is_timeout()`, true when the deadline passed and false for every
//! other failure.

use std::error::Error as _;
use std::time::{Duration, Instant};

use silly::sync::{self, remote, Notify, Select};
use silly::task;
use silly::time;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_passing_deadline_is_a_timeout_for_every_timed_wait() {
    silly::run(|| {
        let soon = || Instant::now() + ms(5);

        let (_tx, rx) = sync::channel::<u32>();
        assert!(rx.recv_timeout(ms(5)).unwrap_err().is_timeout());
        assert!(rx.recv_until(soon()).unwrap_err().is_timeout());

        let (_rtx, rrx) = remote::channel::<u32>();
        assert!(rrx.recv_timeout(ms(5)).unwrap_err().is_timeout());
        assert!(rrx.recv_until(soon()).unwrap_err().is_timeout());

        let mut select = Select::new();
        select.recv(&rx);
        assert!(select.ready_timeout(ms(5)).unwrap_err().is_timeout());
        assert!(select.ready_until(soon()).unwrap_err().is_timeout());

        let notify = Notify::new();
        assert!(notify.wait_timeout(ms(5)).unwrap_err().is_timeout());
        assert!(notify.wait_until(soon()).unwrap_err().is_timeout());

        let slow = task::fork(|| time::sleep(ms(10_000)));
        let err = slow.join_timeout(ms(5)).unwrap_err();
        assert!(err.is_timeout());
        let slow = err.into_handle().unwrap();
        let err = slow.join_until(soon()).unwrap_err();
        assert!(err.is_timeout());
        assert!(err.to_string().contains("did not end before the deadline"));
        err.into_handle().unwrap().task().cancel();

        assert!(time::timeout(ms(5), || time::sleep(ms(10_000)))
            .unwrap_err()
            .is_timeout());
    });
}

#[test]
fn other_failures_are_not_timeouts() {
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        rx.close();
        assert!(!tx.send(1).unwrap_err().is_timeout());
        assert!(!tx.try_send(1).unwrap_err().is_timeout());
        assert!(!rx.recv().unwrap_err().is_timeout());
        assert!(!rx.try_recv().unwrap_err().is_timeout());
        assert!(!rx.recv_timeout(ms(5_000)).unwrap_err().is_timeout());

        let (rtx, rrx) = remote::channel::<u32>();
        drop(rtx);
        assert!(!rrx.recv_timeout(ms(5_000)).unwrap_err().is_timeout());

        let me = task::current();
        assert!(!me.unpark(()).unwrap_err().is_timeout());

        let failed = task::fork(|| -> u32 { panic!("boom") });
        let err = failed.join_timeout(ms(5_000)).unwrap_err();
        assert!(!err.is_timeout());
        let source = err.source().expect("the task's failure is the source");
        assert!(source.to_string().contains("boom"));
        let join_error = err.into_join_error().unwrap();
        assert!(join_error.is_panic() && !join_error.is_timeout());
    });
}
