//! What happens to live coroutines when `run` returns, and `silly::exit`.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use silly::{task, time};

struct SetOnDrop(Rc<Cell<u32>>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn live_coroutines_are_unwound_when_run_returns() {
    let _serial = util::serial();
    let dropped = Rc::new(Cell::new(0));
    let d = dropped.clone();
    silly::run(move || {
        let (a, b, c) = (
            SetOnDrop(d.clone()),
            SetOnDrop(d.clone()),
            SetOnDrop(d.clone()),
        );
        task::fork(move || {
            let _a = a;
            time::sleep(Duration::from_secs(3600));
        });
        task::fork(move || {
            let _b = b;
            task::park();
        });
        task::yield_now(); // a and b start and suspend
                           // Never started: dropped without running.
        task::fork(move || {
            let _c = c;
            unreachable!("main returns before this task starts");
        });
        assert_eq!(silly::stats().live_tasks, 4);
    });
    assert_eq!(dropped.get(), 3, "every live task's destructors ran");
}

#[test]
fn exit_ends_the_process_with_the_code() {
    let _serial = util::serial();
    if util::child_scenario().is_some() {
        silly::run(|| {
            task::fork(|| {
                let _guard = PrintOnDrop;
                time::sleep(Duration::from_secs(3600));
            });
            task::yield_now();
            silly::exit(3);
        });
        unreachable!("exit does not return");
    }
    let out = util::run_child("exit_ends_the_process_with_the_code", "exit");
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("unwound before exit"), "stdout: {stdout}");
}

struct PrintOnDrop;

impl Drop for PrintOnDrop {
    fn drop(&mut self) {
        println!("unwound before exit");
    }
}

#[test]
fn deadlock_is_reported() {
    let _serial = util::serial();
    let result = std::panic::catch_unwind(|| {
        silly::run(|| {
            let (_tx, rx) = silly::sync::channel::<()>();
            let _ = rx.recv(); // nobody will ever send
        })
    });
    let payload = result.unwrap_err();
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("deadlock"), "panic: {msg}");
}

#[test]
fn a_panicking_run_still_cleans_up_and_the_thread_can_run_again() {
    let _serial = util::serial();
    let fds = util::fd_count();
    let result = std::panic::catch_unwind(|| {
        silly::run(|| {
            let listener = silly::net::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
            task::fork(move || {
                let _ = listener.accept(); // blocks on a socket
            });
            task::yield_now();
            let (_tx, rx) = silly::sync::channel::<()>();
            // Keep a registration alive so this is not a deadlock report.
            drop(rx);
            panic!("main failed");
        })
    });
    assert!(result.is_err());
    // The runtime was cleared: a new one starts on this thread.
    assert_eq!(silly::run(|| 5), 5);
    // And the blocked task's listening socket was closed by the unwind.
    assert!(
        util::fd_count() <= fds,
        "fds {} > baseline {fds}",
        util::fd_count()
    );
}
