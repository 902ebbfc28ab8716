//! Sleeping and timers.

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::{task, time};

#[test]
fn sleep_wakes_no_earlier_than_asked() {
    silly::run(|| {
        for ms in [1, 2, 5, 15] {
            let start = Instant::now();
            time::sleep(Duration::from_millis(ms));
            assert!(
                start.elapsed() >= Duration::from_millis(ms),
                "slept {:?} < {ms} ms",
                start.elapsed()
            );
        }
    });
}

#[test]
fn ten_thousand_timers_fire_in_deadline_order() {
    let fired = silly::run(|| {
        let fired = Rc::new(RefCell::new(Vec::new()));
        let mut rng = util::Rng::new(42);
        let start = Instant::now();
        let mut deadlines = Vec::new();
        for i in 0..10_000u64 {
            let ms = rng.below(200);
            deadlines.push((ms, i));
            let fired = fired.clone();
            time::at(start + Duration::from_millis(ms), move || {
                assert!(start.elapsed() >= Duration::from_millis(ms));
                fired.borrow_mut().push((ms, i));
            });
        }
        time::sleep(Duration::from_millis(250));
        deadlines.sort();
        (Rc::try_unwrap(fired).unwrap().into_inner(), deadlines)
    });
    let (fired, expected) = fired;
    assert_eq!(fired.len(), 10_000);
    assert_eq!(
        fired, expected,
        "timers fire by deadline, ties in arming order"
    );
}

#[test]
fn cancel_before_and_after_expiry() {
    silly::run(|| {
        let hits = Rc::new(Cell::new(0));
        let h = hits.clone();
        let early = time::after(Duration::from_millis(5), move || h.set(h.get() + 1));
        assert!(early.cancel(), "armed timer cancels");
        assert!(!early.cancel(), "second cancel is a no-op");

        let h = hits.clone();
        let late = time::after(Duration::from_millis(1), move || h.set(h.get() + 10));
        time::sleep(Duration::from_millis(20));
        assert_eq!(hits.get(), 10, "only the uncancelled timer fired");
        assert!(
            !late.cancel(),
            "cancel after expiry reports false and does nothing"
        );
        assert_eq!(silly::stats().timers, 0, "no timer left behind");
    });
}

#[test]
fn zero_duration_fires_on_the_next_turn() {
    silly::run(|| {
        let hit = Rc::new(Cell::new(false));
        let h = hit.clone();
        time::after(Duration::ZERO, move || h.set(true));
        assert!(!hit.get(), "after() never runs the callback inline");
        time::sleep(Duration::ZERO); // yields
        task::yield_now();
        time::sleep(Duration::from_millis(1));
        assert!(hit.get());
    });
}

#[test]
fn clocks() {
    let wall = time::now();
    let since_2020 = 1_577_836_800_000u64;
    assert!(wall > since_2020, "now() is milliseconds since the epoch");
    let a = time::monotonic();
    std::thread::sleep(Duration::from_millis(3));
    assert!(time::monotonic() >= a + 3);
}

#[test]
fn idle_loop_does_not_spin() {
    silly::run(|| {
        let before = util::cpu_time();
        let sleepers: Vec<_> = (0..100)
            .map(|_| task::fork(|| time::sleep(Duration::from_millis(300))))
            .collect();
        for s in sleepers {
            s.join().unwrap();
        }
        let used = util::cpu_time() - before;
        // A spinning loop would burn the whole 300 ms; a blocked one, well under it.
        assert!(
            used < Duration::from_millis(100),
            "CPU {used:?} during a 300 ms idle wait"
        );
    });
}

#[test]
fn cancelling_a_timer_whose_callback_owns_timers_is_fine() {
    struct CancelsOnDrop(Option<time::Timer>);
    impl Drop for CancelsOnDrop {
        fn drop(&mut self) {
            if let Some(t) = self.0.take() {
                t.cancel(); // touches the timer table while the outer cancel drops us
            }
        }
    }
    silly::run(|| {
        let inner = time::after(Duration::from_secs(60), || {});
        let guard = CancelsOnDrop(Some(inner));
        let outer = time::after(Duration::from_secs(60), move || drop(guard));
        assert!(outer.cancel());
        assert_eq!(silly::stats().timers, 0);
    });
}

#[test]
fn a_timer_from_an_earlier_runtime_cancels_nothing_in_a_later_one() {
    let old = silly::run(|| time::after(Duration::from_secs(60), || {}));
    silly::run(move || {
        let start = Instant::now();
        let sleeper = task::fork(|| time::sleep(Duration::from_millis(20)));
        task::yield_now(); // the sleeper arms the first timer of this runtime
        assert!(!old.cancel(), "the old runtime is gone");
        sleeper.join().unwrap();
        assert!(start.elapsed() >= Duration::from_millis(20));
    });
}
