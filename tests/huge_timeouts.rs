//! A timeout too long for the clock to hold (`Duration::MAX`) means no
//! deadline: every timed wait of the runtime then waits for its event, and
//! none panics computing its deadline. Each wait here ends by a real event a
//! few milliseconds later (a send, a notification, a task's end, an
//! interrupt).

use std::time::{Duration, Instant};

use silly::sync::{self, remote, Notify, Select};
use silly::task;
use silly::time::{self, Elapsed};

const HUGE: Duration = Duration::MAX;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn recv_timeout_waits_for_the_message() {
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        task::fork(move || {
            time::sleep(ms(5));
            tx.send(7).unwrap();
        });
        assert_eq!(rx.recv_timeout(HUGE), Ok(7));
    });
}

#[test]
fn remote_recv_timeout_waits_for_the_message() {
    silly::run(|| {
        let (tx, rx) = remote::channel::<u32>();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(ms(5));
            tx.send(9).unwrap();
        });
        assert_eq!(rx.recv_timeout(HUGE), Ok(9));
        sender.join().unwrap();
    });
}

#[test]
fn remote_recv_timeout_on_a_plain_thread_waits_for_the_message() {
    let (tx, rx) = remote::channel::<u32>();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(ms(5));
        tx.send(11).unwrap();
    });
    assert_eq!(rx.recv_timeout(HUGE), Ok(11));
    sender.join().unwrap();
}

#[test]
fn select_ready_timeout_waits_for_an_operation() {
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        task::fork(move || {
            time::sleep(ms(5));
            tx.send(1).unwrap();
        });
        let mut select = Select::new();
        let i = select.recv(&rx);
        assert_eq!(select.ready_timeout(HUGE), Ok(i));
        assert_eq!(rx.try_recv(), Ok(1));
    });
}

#[test]
fn notify_wait_timeout_waits_for_the_notification() {
    silly::run(|| {
        let notify = Notify::new();
        let n = notify.clone();
        task::fork(move || {
            time::sleep(ms(5));
            n.notify_one();
        });
        assert_eq!(notify.wait_timeout(HUGE), Ok(()));
    });
}

#[test]
fn join_timeout_waits_for_the_task() {
    silly::run(|| {
        let h = task::fork(|| {
            time::sleep(ms(5));
            "done"
        });
        assert_eq!(h.join_timeout(HUGE).unwrap(), "done");
    });
}

#[test]
fn timeout_runs_the_work_to_its_end() {
    silly::run(|| {
        let r = time::timeout(HUGE, || {
            time::sleep(ms(5));
            42
        });
        assert_eq!(r, Ok(42));
    });
}

#[test]
fn a_huge_sleep_sleeps_until_interrupted() {
    silly::run(|| {
        let started = Instant::now();
        let r = time::timeout(ms(20), || time::sleep(HUGE));
        assert_eq!(r, Err(Elapsed));
        assert!(started.elapsed() >= ms(20));
    });
}

#[test]
fn a_huge_sleep_ends_when_its_task_is_cancelled() {
    silly::run(|| {
        let sleeper = task::fork(|| time::sleep(HUGE));
        time::sleep(ms(5));
        assert!(!sleeper.is_finished());
        sleeper.task().cancel();
        assert!(sleeper.join().unwrap_err().is_cancelled());
    });
}

#[test]
fn a_huge_delay_makes_a_timer_that_never_fires_but_cancels() {
    silly::run(|| {
        let timer = time::after(HUGE, || unreachable!("never fires"));
        time::sleep(ms(5));
        assert!(timer.cancel(), "not fired yet: cancelled now");
        assert!(!timer.cancel(), "already cancelled");
    });
}
