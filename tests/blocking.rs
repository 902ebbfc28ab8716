//! `spawn_blocking` suspends only its caller.

mod util;

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

/// Name resolution has its own pool: with every thread of the default pool
/// busy and more jobs queued behind them, `connect("localhost:PORT")` still
/// resolves at once instead of waiting for the user's jobs.
#[test]
fn name_resolution_does_not_wait_behind_user_jobs() {
    use std::sync::{Arc, Condvar, Mutex};
    silly::run(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Jobs block until released (or 20 s pass, so a failure ends).
        let released = Arc::new((Mutex::new(false), Condvar::new()));
        let jobs: Vec<_> = (0..2 * task::DEFAULT_BLOCKING_THREADS)
            .map(|_| {
                let released = released.clone();
                task::fork(move || {
                    task::spawn_blocking(move || {
                        let (lock, cond) = &*released;
                        let guard = lock.lock().unwrap();
                        let (guard, _) = cond
                            .wait_timeout_while(guard, Duration::from_secs(20), |r| !*r)
                            .unwrap();
                        *guard // whether the job was released, not timed out
                    })
                })
            })
            .collect();
        task::yield_now(); // every job is submitted: the pool is full, 16 queue
        let conn = silly::net::tcp::TcpStream::connect(format!("localhost:{port}"));
        let still_blocked = jobs.iter().all(|j| !j.is_finished());
        *released.0.lock().unwrap() = true;
        released.1.notify_all();
        assert!(conn.is_ok(), "{conn:?}");
        assert!(still_blocked, "connect waited for the user's jobs");
        for job in jobs {
            assert!(
                job.join().unwrap(),
                "every job was released, none timed out"
            );
        }
    });
}

/// Runs `jobs` calls of `run` at once and returns how many ran together at most.
fn peak_concurrency(jobs: usize, run: fn(Box<dyn FnOnce() + Send>)) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..jobs)
        .map(|_| {
            let (running, peak) = (running.clone(), peak.clone());
            task::fork(move || {
                run(Box::new(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    peak.load(Ordering::SeqCst)
}

#[test]
fn a_pool_of_its_own_runs_at_most_its_threads_at_once() {
    static SMALL: task::BlockingPool = task::BlockingPool::new("small", 2);
    let peak = silly::run(|| peak_concurrency(6, |job| SMALL.run(job)));
    assert_eq!(peak, 2);
    assert_eq!(SMALL.max_threads(), 2);
}

#[test]
fn builder_sets_the_default_pool_size() {
    // Process-wide: changed only in a child process.
    if util::child_scenario().is_some() {
        let peak = silly::Builder::new()
            .blocking_threads(3)
            .run(|| peak_concurrency(8, task::spawn_blocking));
        assert_eq!(peak, 3);
        return;
    }
    let out = util::run_child("builder_sets_the_default_pool_size", "pool");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
