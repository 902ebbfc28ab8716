//! Forking, joining, parking and yielding.

use std::cell::RefCell;
use std::rc::Rc;

use silly::task::{self, UnparkError};

#[test]
fn fork_queues_fifo_and_does_not_run_at_once() {
    let order = silly::run(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let log = log.clone();
                task::fork(move || log.borrow_mut().push(i))
            })
            .collect();
        log.borrow_mut().push(100); // the parent runs first
        for h in handles {
            h.join().unwrap();
        }
        Rc::try_unwrap(log).unwrap().into_inner()
    });
    assert_eq!(order, [100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

#[test]
fn hundred_thousand_coroutines_fork_and_join() {
    let sum = silly::run(|| {
        let handles: Vec<_> = (0..100_000u64).map(|i| task::fork(move || i * 2)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });
    assert_eq!(sum, 99_999 * 100_000);
}

#[test]
fn nested_forks() {
    fn tree(depth: u32) -> u64 {
        if depth == 0 {
            return 1;
        }
        let left = task::fork(move || tree(depth - 1));
        let right = task::fork(move || tree(depth - 1));
        left.join().unwrap() + right.join().unwrap()
    }
    assert_eq!(silly::run(|| tree(10)), 1024);
}

#[test]
fn park_and_unpark_pass_a_value() {
    silly::run(|| {
        let me = task::current();
        let waker = task::fork(move || {
            // Not parked yet? The main task is ready until it calls park().
            me.unpark("hello").unwrap();
        });
        let value = task::park();
        assert_eq!(value.downcast_ref::<&str>(), Some(&"hello"));
        waker.join().unwrap();
    });
}

#[test]
fn unpark_of_a_task_not_parked_is_an_error() {
    silly::run(|| {
        let sleeper = task::fork(|| silly::time::sleep(std::time::Duration::from_millis(20)));
        let ready = task::fork(|| ());
        // Queued, not parked.
        assert_eq!(ready.task().unpark(1).unwrap_err(), UnparkError::NotParked);
        task::yield_now();
        // Sleeping is an internal wait: unpark must not cut it short.
        assert_eq!(
            sleeper.task().unpark(1).unwrap_err(),
            UnparkError::NotParked
        );
        let t = ready.task().clone();
        ready.join().unwrap();
        assert_eq!(t.unpark(1).unwrap_err(), UnparkError::Finished);
        // The running task itself is not parked either.
        assert_eq!(
            task::current().unpark(()).unwrap_err(),
            UnparkError::NotParked
        );
        sleeper.join().unwrap();
    });
}

#[test]
fn yield_now_round_robins() {
    let log = silly::run(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let handles: Vec<_> = (0..3)
            .map(|id| {
                let log = log.clone();
                task::fork(move || {
                    for round in 0..3 {
                        log.borrow_mut().push((round, id));
                        task::yield_now();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        Rc::try_unwrap(log).unwrap().into_inner()
    });
    let expected: Vec<_> = (0..3).flat_map(|r| (0..3).map(move |id| (r, id))).collect();
    assert_eq!(log, expected);
}

#[test]
fn current_task_ids_and_names() {
    silly::run(|| {
        assert_eq!(task::current().id(), 1, "the main task is task 1");
        let h = task::Builder::new().name("worker").fork(|| {
            let me = task::current();
            (me.id(), me.name().map(str::to_owned))
        });
        let (id, name) = h.join().unwrap();
        assert!(id > 1);
        assert_eq!(name.as_deref(), Some("worker"));
    });
    assert!(task::try_current().is_none(), "no task outside run");
}

#[test]
fn custom_stack_size_allows_deep_recursion() {
    fn depth(n: u32) -> u32 {
        let pad = std::hint::black_box([0u8; 512]);
        if n == 0 {
            pad[0] as u32
        } else {
            depth(n - 1) + 1
        }
    }
    let d = silly::run(|| {
        task::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .fork(|| depth(5_000))
            .join()
            .unwrap()
    });
    assert_eq!(d, 5_000);
}

#[test]
fn run_returns_the_main_value_and_can_run_again() {
    assert_eq!(silly::run(|| 1), 1);
    assert_eq!(silly::run(|| "two"), "two");
}
