//! `spawn_blocking` suspends only its caller.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use silly::{task, time};

#[test]
fn blocking_call_does_not_stall_other_coroutines() {
    let log = silly::run(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let sleeper = task::fork(move || {
            time::sleep(Duration::from_millis(10));
            l.borrow_mut().push("sleeper woke");
        });
        let l = log.clone();
        let blocker = task::fork(move || {
            let v = task::spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(200));
                42
            });
            l.borrow_mut().push("blocking returned");
            v
        });
        assert_eq!(blocker.join().unwrap(), 42);
        sleeper.join().unwrap();
        Rc::try_unwrap(log).unwrap().into_inner()
    });
    assert_eq!(log, ["sleeper woke", "blocking returned"]);
}

#[test]
fn blocking_panic_continues_in_the_caller() {
    silly::run(|| {
        let h = task::fork(|| task::spawn_blocking(|| -> u32 { panic!("in the pool") }));
        assert_eq!(h.join().unwrap_err().message(), Some("in the pool"));
        assert_eq!(silly::stats().blocking_calls, 0);
    });
}

#[test]
fn many_blocking_calls_run_in_parallel() {
    silly::run(|| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| task::fork(move || task::spawn_blocking(move || i * i)))
            .collect();
        let results: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(results, [0, 1, 4, 9, 16, 25, 36, 49]);
    });
}

#[test]
fn a_burst_of_blocking_calls_runs_on_several_threads() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // Each job waits (bounded) until all four have started: only true when they
    // run at the same time on different pool threads.
    let started = Arc::new(AtomicUsize::new(0));
    let all_met = silly::run(move || {
        let jobs: Vec<_> = (0..4)
            .map(|_| {
                let started = started.clone();
                task::fork(move || {
                    task::spawn_blocking(move || {
                        started.fetch_add(1, Ordering::SeqCst);
                        let until = std::time::Instant::now() + Duration::from_secs(5);
                        while started.load(Ordering::SeqCst) < 4
                            && std::time::Instant::now() < until
                        {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        started.load(Ordering::SeqCst) == 4
                    })
                })
            })
            .collect();
        jobs.into_iter().all(|j| j.join().unwrap())
    });
    assert!(all_met, "the four jobs ran concurrently");
}
