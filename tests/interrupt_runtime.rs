//! The runtime's blocking calls cut at random points by `time::timeout` and
//! `Task::cancel`: what the runtime's `## Interrupts` table promises.
//!
//! Every value sent is received exactly once or, when its send was
//! interrupted, never; every value is dropped exactly once; locks and permits
//! are never lost or doubled; and the runtime's counts return to where they
//! were. `SEED=n` replays a run (each test prints its seed).

mod util;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use silly::sync::{self, Mutex, Select, Semaphore};
use silly::{task, time};
use util::interrupt::seed;
use util::Rng;

/// A short, random deadline: 0 to 2 ms (the timer resolution is 1 ms, so
/// some cuts land before the call blocks and some while it waits).
fn cut(rng: &RefCell<Rng>) -> Duration {
    Duration::from_micros(rng.borrow_mut().below(2_500))
}

/// What happened to each value: sent, cut, received, dropped.
#[derive(Default)]
struct Ledger {
    sent: RefCell<HashSet<u64>>,
    cut: RefCell<HashSet<u64>>,
    received: RefCell<Vec<u64>>,
    dropped: RefCell<Vec<u64>>,
}

/// A value that writes its own drop in the ledger.
struct Tracked {
    id: u64,
    ledger: Rc<Ledger>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.ledger.dropped.borrow_mut().push(self.id);
    }
}

impl Ledger {
    /// Every value dropped once; every sent value received once; no cut
    /// value received.
    fn check(&self, created: u64) {
        let mut dropped = self.dropped.borrow().clone();
        dropped.sort_unstable();
        assert_eq!(
            dropped,
            (0..created).collect::<Vec<_>>(),
            "each value dropped exactly once"
        );
        let received = self.received.borrow();
        let unique: HashSet<u64> = received.iter().copied().collect();
        assert_eq!(unique.len(), received.len(), "a value received twice");
        for id in self.sent.borrow().iter() {
            assert!(
                unique.contains(id),
                "value {id} was sent but never received"
            );
        }
        for id in self.cut.borrow().iter() {
            assert!(
                !unique.contains(id),
                "value {id}: its send was interrupted, yet it was received"
            );
        }
        assert_eq!(
            self.sent.borrow().len() + self.cut.borrow().len(),
            created as usize,
            "each send either went or was cut"
        );
    }
}

/// Producers and consumers on one channel, every send and receive under a
/// random timeout; senders are also cancelled now and then.
fn channel_under_cuts(capacity: Option<usize>, seed: u64) {
    const PRODUCERS: u64 = 4;
    const PER_PRODUCER: u64 = 150;
    silly::run(move || {
        let base = silly::stats();
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let ledger = Rc::new(Ledger::default());
        let (tx, rx) = match capacity {
            Some(n) => sync::bounded::<Tracked>(n),
            None => sync::channel::<Tracked>(),
        };
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let (tx, rng, ledger) = (tx.clone(), rng.clone(), ledger.clone());
                task::fork(move || {
                    for n in 0..PER_PRODUCER {
                        let id = p * PER_PRODUCER + n;
                        let value = Tracked {
                            id,
                            ledger: ledger.clone(),
                        };
                        let limit = cut(&rng);
                        match time::timeout(limit, || tx.send(value)) {
                            Ok(Ok(())) => ledger.sent.borrow_mut().insert(id),
                            Ok(Err(_)) => panic!("the channel closed early"),
                            Err(_) => ledger.cut.borrow_mut().insert(id),
                        };
                        if rng.borrow_mut().below(4) == 0 {
                            time::sleep(Duration::from_millis(1));
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let (rx, rng, ledger) = (rx.clone(), rng.clone(), ledger.clone());
                task::fork(move || loop {
                    let limit = cut(&rng);
                    match time::timeout(limit, || rx.recv()) {
                        Ok(Ok(value)) => ledger.received.borrow_mut().push(value.id),
                        Ok(Err(_)) => break, // closed and drained
                        Err(_) => {}
                    }
                    if rng.borrow_mut().below(3) == 0 {
                        time::sleep(Duration::from_millis(1));
                    }
                })
            })
            .collect();
        drop(rx);
        for p in producers {
            p.join().unwrap();
        }
        for c in consumers {
            c.join().unwrap();
        }
        ledger.check(PRODUCERS * PER_PRODUCER);
        assert!(
            !ledger.cut.borrow().is_empty() || capacity.is_none(),
            "no send was cut: the test cut nothing"
        );
        let now = silly::stats();
        assert_eq!(now.live_tasks, base.live_tasks);
        assert_eq!(now.timers, base.timers);
    });
}

#[test]
fn unbounded_channel_loses_and_doubles_nothing_under_cuts() {
    channel_under_cuts(None, seed());
}

#[test]
fn bounded_channel_loses_and_doubles_nothing_under_cuts() {
    channel_under_cuts(Some(2), seed());
}

#[test]
fn rendezvous_send_cut_after_queueing_is_never_received() {
    channel_under_cuts(Some(0), seed());
}

/// A cross-runtime channel: coroutine senders on one runtime cut while the
/// channel is full, a receiver on another thread.
#[test]
fn remote_bounded_channel_loses_and_doubles_nothing_under_cuts() {
    let seed = seed();
    const SENDS: u64 = 400;
    let (tx, rx) = sync::remote::bounded::<u64>(2);
    let receiver = std::thread::spawn(move || {
        silly::run(move || {
            let mut got = Vec::new();
            let mut rng = Rng::new(seed ^ 0x55);
            while let Ok(v) = rx.recv() {
                got.push(v);
                if rng.below(3) == 0 {
                    time::sleep(Duration::from_millis(1));
                }
            }
            got
        })
    });
    let (sent, cut_ids) = silly::run(move || {
        let base = silly::stats();
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let sent = Rc::new(RefCell::new(Vec::new()));
        let cut_ids = Rc::new(RefCell::new(Vec::new()));
        let senders: Vec<_> = (0..4)
            .map(|s| {
                let (tx, rng, sent, cut_ids) =
                    (tx.clone(), rng.clone(), sent.clone(), cut_ids.clone());
                task::fork(move || {
                    for n in 0..SENDS / 4 {
                        let id = s * (SENDS / 4) + n;
                        let limit = cut(&rng);
                        match time::timeout(limit, || tx.send(id)) {
                            Ok(Ok(())) => sent.borrow_mut().push(id),
                            Ok(Err(_)) => panic!("receiver gone early"),
                            Err(_) => cut_ids.borrow_mut().push(id),
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(silly::stats().live_tasks, base.live_tasks);
        (sent.take(), cut_ids.take())
    });
    let got = receiver.join().unwrap();
    let unique: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "a value received twice");
    let sent: HashSet<u64> = sent.into_iter().collect();
    assert_eq!(unique, sent, "exactly the sends that returned Ok arrived");
    assert!(!cut_ids.is_empty(), "no send was cut: the test cut nothing");
    assert_eq!(sent.len() + cut_ids.len(), SENDS as usize);
}

/// Lockers cut while queued for a FIFO mutex and a semaphore: mutual
/// exclusion holds, no permit is lost or doubled, and both end free.
#[test]
fn mutex_and_semaphore_keep_their_permits_under_cuts() {
    let seed = seed();
    silly::run(move || {
        let base = silly::stats();
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let mutex = Rc::new(Mutex::new(0u64));
        let semaphore = Rc::new(Semaphore::new(3));
        let inside = Rc::new(Cell::new(0usize));
        let (locked, cut_count) = (Rc::new(Cell::new(0u64)), Rc::new(Cell::new(0u64)));
        let workers: Vec<_> = (0..12)
            .map(|w| {
                let (rng, mutex, semaphore, inside) = (
                    rng.clone(),
                    mutex.clone(),
                    semaphore.clone(),
                    inside.clone(),
                );
                let (locked, cut_count) = (locked.clone(), cut_count.clone());
                task::fork(move || {
                    for _ in 0..40 {
                        let limit = cut(&rng);
                        let hold = rng.borrow_mut().below(2) == 0;
                        if w % 2 == 0 {
                            let r = time::timeout(limit, || {
                                let mut guard = mutex.lock();
                                *guard += 1;
                                if hold {
                                    // Cut while holding: the guard's drop unlocks.
                                    time::sleep(Duration::from_millis(1));
                                }
                            });
                            match r {
                                Ok(()) => locked.set(locked.get() + 1),
                                Err(_) => cut_count.set(cut_count.get() + 1),
                            }
                        } else {
                            let r = time::timeout(limit, || {
                                let _permit = semaphore.acquire();
                                inside.set(inside.get() + 1);
                                assert!(inside.get() <= 3, "more holders than permits");
                                struct Leave(Rc<Cell<usize>>);
                                impl Drop for Leave {
                                    fn drop(&mut self) {
                                        self.0.set(self.0.get() - 1);
                                    }
                                }
                                let _leave = Leave(inside.clone());
                                if hold {
                                    time::sleep(Duration::from_millis(1));
                                }
                            });
                            if r.is_err() {
                                cut_count.set(cut_count.get() + 1);
                            }
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert!(cut_count.get() > 0, "nothing was cut");
        assert!(mutex.try_lock().is_some(), "the mutex ends unlocked");
        assert_eq!(semaphore.available(), 3, "every permit is back");
        // Increments happen before any cut point inside the lock, so each
        // lock that was taken counted once.
        assert!(*mutex.lock() >= locked.get());
        assert_eq!(inside.get(), 0);
        let now = silly::stats();
        assert_eq!(now.live_tasks, base.live_tasks);
        assert_eq!(now.timers, base.timers);
    });
}

/// A `Select` cut while it waits takes nothing: every message is still
/// received afterwards, once.
#[test]
fn select_cut_while_waiting_takes_no_message() {
    let seed = seed();
    silly::run(move || {
        let base = silly::stats();
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let (tx_a, rx_a) = sync::channel::<u32>();
        let (tx_b, rx_b) = sync::bounded::<u32>(1);
        // Kept open until every message is in: a closed channel is always
        // ready to a `Select`, and would hide the other one.
        let _open = (tx_a.clone(), tx_b.clone());
        let sender = {
            let rng = rng.clone();
            task::fork(move || {
                for n in 0..300 {
                    if rng.borrow_mut().below(2) == 0 {
                        tx_a.send(n).unwrap();
                    } else {
                        tx_b.send(n).unwrap();
                    }
                    if rng.borrow_mut().below(3) == 0 {
                        time::sleep(Duration::from_millis(1));
                    }
                }
            })
        };
        let mut got = Vec::new();
        let mut cuts = 0;
        while got.len() < 300 {
            let limit = cut(&rng);
            let ready = time::timeout(limit, || {
                let mut select = Select::new();
                let a = select.recv(&rx_a);
                let _b = select.recv(&rx_b);
                (select.ready() == a, ())
            });
            match ready {
                Ok((true, ())) => got.extend(rx_a.try_recv().ok()),
                Ok((false, ())) => got.extend(rx_b.try_recv().ok()),
                Err(_) => cuts += 1,
            }
        }
        sender.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, (0..300).collect::<Vec<_>>());
        assert!(cuts > 0, "nothing was cut");
        let now = silly::stats();
        assert_eq!(now.live_tasks, base.live_tasks);
        assert_eq!(now.timers, base.timers);
    });
}

/// `spawn_blocking` cut while its closure runs: the closure still finishes on
/// the pool (a thread cannot be unwound from outside), its result is
/// dropped, and the runtime's count of blocking calls returns to zero.
#[test]
fn spawn_blocking_cut_lets_the_closure_finish_and_drops_its_result() {
    silly::run(|| {
        let base = silly::stats();
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut cuts = 0;
        for _ in 0..20 {
            let done = finished.clone();
            let r = time::timeout(Duration::from_millis(1), || {
                task::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(5));
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    vec![0u8; 1024]
                })
            });
            if r.is_err() {
                cuts += 1;
            }
        }
        assert!(cuts > 0, "nothing was cut");
        // The cut closures finish on their own; wait for all twenty, bounded.
        for _ in 0..500 {
            if finished.load(std::sync::atomic::Ordering::SeqCst) == 20 {
                break;
            }
            time::sleep(Duration::from_millis(10));
        }
        assert_eq!(finished.load(std::sync::atomic::Ordering::SeqCst), 20);
        // Their completions reach the loop after the closures end.
        for _ in 0..100 {
            if silly::stats().blocking_calls == base.blocking_calls {
                break;
            }
            time::sleep(Duration::from_millis(10));
        }
        let now = silly::stats();
        assert_eq!(now.blocking_calls, base.blocking_calls);
        assert_eq!(now.live_tasks, base.live_tasks);
    });
}

/// An interrupted `join` drops the handle: the task runs on, detached, and
/// finishes; `join_timeout` hands the handle back instead.
#[test]
fn join_cut_leaves_the_task_running() {
    silly::run(|| {
        let finished = Rc::new(Cell::new(false));
        let f = finished.clone();
        let handle = task::fork(move || {
            time::sleep(Duration::from_millis(20));
            f.set(true);
        });
        assert!(time::timeout(Duration::from_millis(2), || handle.join()).is_err());
        time::sleep(Duration::from_millis(40));
        assert!(finished.get(), "the joined task ran on");
    });
}
