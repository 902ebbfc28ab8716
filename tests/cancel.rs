//! Cancelling a task: wherever it blocks, it ends there, its destructors run,
//! and what it held is back (fds, timers, registrations, locks, waiters).

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::sync::{self, Mutex};
use silly::{task, time};

/// Sets its flag when dropped: shows that the cancelled task's destructors ran.
struct Dropped(Rc<Cell<bool>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// Forks `body` (holding a `Dropped`), lets it block, cancels it, and checks
/// the joiner's error, the destructor and the runtime's counts.
fn cancel_while_blocked(body: impl FnOnce() + 'static) {
    let base = silly::stats();
    let dropped = Rc::new(Cell::new(false));
    let guard = Dropped(dropped.clone());
    let reached_end = Rc::new(Cell::new(false));
    let end = reached_end.clone();
    let victim = task::fork(move || {
        let _guard = guard;
        body();
        end.set(true);
    });
    for _ in 0..3 {
        task::yield_now(); // it starts and blocks
    }
    assert!(!victim.is_finished(), "the body must block");
    victim.task().cancel();
    let err = victim.join().unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(!err.is_panic());
    assert_eq!(
        err.to_string(),
        format!("task {} was cancelled", err.task_id())
    );
    assert!(dropped.get(), "destructors ran");
    assert!(!reached_end.get(), "the blocking call never returned");
    let now = silly::stats();
    assert_eq!(now.live_tasks, base.live_tasks);
    assert_eq!(now.timers, base.timers, "no timer left behind");
    assert_eq!(now.registrations, base.registrations);
}

#[test]
fn cancel_a_task_blocked_reading_a_socket() {
    let _serial = util::serial();
    let fds = util::fd_count();
    silly::run(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let base = silly::stats();
        cancel_while_blocked(move || {
            let conn = TcpStream::connect(addr).unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(30)));
            let mut buf = [0u8; 16];
            let _ = conn.read(&mut buf); // the peer never writes
        });
        // The client's socket closed with the task: the peer sees EOF.
        let (accepted, _) = listener.accept().unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(accepted.read(&mut buf).unwrap(), 0);
        drop(accepted);
        assert_eq!(silly::stats().registrations, base.registrations);
    });
    assert_eq!(util::fd_count(), fds, "every socket closed");
}

#[test]
fn cancel_a_sleeping_task() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| cancel_while_blocked(|| time::sleep(Duration::from_secs(60))));
}

#[test]
fn cancel_a_task_waiting_on_a_channel_loses_no_message() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        let rx2 = rx.clone();
        cancel_while_blocked(move || {
            let _ = rx2.recv();
        });
        tx.send(7).unwrap();
        assert_eq!(
            rx.recv(),
            Ok(7),
            "the message went to a receiver still there"
        );
    });
}

#[test]
fn cancel_a_task_waiting_for_a_lock_and_one_holding_it() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let lock = Rc::new(Mutex::new(0));
        let held = lock.lock();
        let l = lock.clone();
        cancel_while_blocked(move || {
            *l.lock() += 1;
        });
        drop(held);
        assert!(
            lock.try_lock().is_some(),
            "the cancelled waiter holds nothing"
        );

        let l = lock.clone();
        cancel_while_blocked(move || {
            let _held = l.lock();
            time::sleep(Duration::from_secs(60));
        });
        assert!(lock.try_lock().is_some(), "the holder's guard was dropped");
    });
}

#[test]
fn cancel_a_task_joining_another_leaves_the_other_running() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let (tx, rx) = sync::channel::<()>();
        let target = task::fork(move || rx.recv().is_ok());
        let target_task = target.task().clone();
        cancel_while_blocked(move || {
            let _ = target.join();
        });
        assert!(!target_task.is_finished());
        tx.send(()).unwrap();
        for _ in 0..3 {
            task::yield_now();
        }
        assert!(target_task.is_finished(), "the joined task ran on");
    });
}

#[test]
fn cancel_a_parked_task() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        cancel_while_blocked(|| {
            let _ = task::park();
        })
    });
}

#[test]
fn a_task_cancelled_before_it_starts_never_runs() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        let h = task::fork(move || r.set(true));
        h.task().cancel();
        assert!(h.join().unwrap_err().is_cancelled());
        assert!(!ran.get());
    });
}

#[test]
fn a_running_task_is_cancelled_at_its_next_blocking_call() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let steps = Rc::new(RefCell::new(Vec::new()));
        let s = steps.clone();
        let h = task::fork(move || {
            s.borrow_mut().push("start");
            task::current().cancel(); // itself, while running
            s.borrow_mut().push("still running");
            task::yield_now();
            s.borrow_mut().push("after yield");
        });
        assert!(h.join().unwrap_err().is_cancelled());
        assert_eq!(*steps.borrow(), ["start", "still running"]);
    });
}

#[test]
fn cancellation_passes_through_task_catch_unwind() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let caught = Rc::new(Cell::new(false));
        let c = caught.clone();
        let h = task::fork(move || {
            let r = task::catch_unwind(|| time::sleep(Duration::from_secs(60)));
            c.set(r.is_err());
        });
        task::yield_now();
        h.task().cancel();
        assert!(h.join().unwrap_err().is_cancelled());
        assert!(!caught.get(), "catch_unwind let the cancel through");
    });
}

#[test]
fn destructors_of_a_cancelled_task_may_block() {
    let _serial = util::serial(); // fds are counted process-wide
    struct FlushOnDrop(Rc<Cell<bool>>);
    impl Drop for FlushOnDrop {
        fn drop(&mut self) {
            time::sleep(Duration::from_millis(5)); // e.g. a final write
            self.0.set(true);
        }
    }
    silly::run(|| {
        let flushed = Rc::new(Cell::new(false));
        let guard = FlushOnDrop(flushed.clone());
        let h = task::fork(move || {
            let _guard = guard;
            time::sleep(Duration::from_secs(60));
        });
        task::yield_now();
        h.task().cancel();
        h.task().cancel(); // a second cancel changes nothing
        assert!(h.join().unwrap_err().is_cancelled());
        assert!(flushed.get(), "the destructor's sleep ran to its end");
    });
}

#[test]
fn cancelling_a_finished_task_does_nothing() {
    let _serial = util::serial(); // fds are counted process-wide
    silly::run(|| {
        let h = task::fork(|| 5);
        let t = h.task().clone();
        assert_eq!(h.join().unwrap(), 5);
        t.cancel();
        assert!(t.is_finished());
    });
}

#[test]
fn cancellation_prints_no_panic_report() {
    let _serial = util::serial(); // fds are counted process-wide
    if util::child_scenario().is_some() {
        silly::run(|| {
            let h = task::fork(|| time::sleep(Duration::from_secs(60)));
            task::yield_now();
            h.task().cancel();
            assert!(h.join().unwrap_err().is_cancelled());
        });
        return;
    }
    let out = util::run_child("cancellation_prints_no_panic_report", "cancel");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
