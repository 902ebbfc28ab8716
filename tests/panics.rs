//! A panic in a coroutine stays in that coroutine.

mod util;

use std::cell::Cell;
use std::rc::Rc;

use silly::task;

#[test]
fn panic_is_isolated_and_reported_to_join() {
    silly::run(|| {
        let survivor_ran = Rc::new(Cell::new(false));
        let flag = survivor_ran.clone();
        let bad = task::fork(|| -> u32 { panic!("boom {}", 7) });
        let good = task::fork(move || {
            silly::time::sleep(std::time::Duration::from_millis(5));
            flag.set(true);
            5
        });
        let err = bad.join().unwrap_err();
        assert_eq!(err.message(), Some("boom 7"));
        assert!(err.task_id() > 1);
        assert_eq!(good.join().unwrap(), 5);
        assert!(survivor_ran.get());
    });
}

#[test]
fn main_task_panic_continues_from_run_after_cleanup() {
    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let flag = Rc::new(Cell::new(false));
    let f2 = flag.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        silly::run(move || {
            let guard = Dropped(f2);
            task::fork(move || {
                let _g = guard;
                task::park(); // parked forever: unwound at shutdown
            });
            task::yield_now();
            panic!("main failed");
        })
    }));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"main failed"));
    assert!(
        flag.get(),
        "the parked task was unwound and its destructor ran"
    );
}

#[test]
fn panic_report_names_the_task() {
    if util::child_scenario().is_some() {
        silly::run(|| {
            let h = task::fork(|| panic!("reported"));
            let _ = h.join();
        });
        return;
    }
    let out = util::run_child("panic_report_names_the_task", "panic");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        stderr.contains("silly: task 2 panicked"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("reported"), "stderr: {stderr}");
}

/// `prog 2>&1 | head`: once `head` exits, stderr is a pipe nobody reads and
/// every write to it fails with EPIPE. A panic report must not turn that into
/// a second panic (inside the panic hook: an abort).
#[test]
fn panic_report_to_a_closed_stderr_does_not_abort() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};
    if util::child_scenario().is_some() {
        let value = silly::run(|| {
            let h = task::fork(|| panic!("nobody reads this"));
            assert!(h.join().is_err());
            7
        });
        assert_eq!(value, 7, "the runtime went on after the report");
        return;
    }
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: pipe(2) just returned these two descriptors, owned by nobody else.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader); // like `head` after it exited
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panic_report_to_a_closed_stderr_does_not_abort",
            "--nocapture", // the report goes to the real stderr, not libtest's buffer
            "--test-threads=1",
        ])
        .env(util::CHILD_ENV, "closed-stderr")
        .stdout(Stdio::null())
        .stderr(Stdio::from(writer))
        .status()
        .expect("spawn the test binary");
    assert!(status.success(), "child ended with {status:?}");
}
