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
