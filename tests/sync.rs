//! Channels, mutex, wait group and semaphore.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use silly::sync::{self, Mutex, RecvError, Semaphore, TryRecvError, WaitGroup};
use silly::{task, time};

#[test]
fn unbounded_channel_many_senders_in_order_per_sender() {
    silly::run(|| {
        let (tx, rx) = sync::channel();
        for s in 0..4 {
            let tx = tx.clone();
            task::fork(move || {
                for i in 0..100 {
                    tx.send((s, i)).unwrap();
                    if i % 10 == 0 {
                        task::yield_now();
                    }
                }
            });
        }
        drop(tx);
        let mut last = [-1i32; 4];
        let mut count = 0;
        while let Ok((s, i)) = rx.recv() {
            assert_eq!(last[s], i - 1, "per-sender order kept");
            last[s] = i;
            count += 1;
        }
        assert_eq!(count, 400);
        assert_eq!(
            rx.recv(),
            Err(RecvError),
            "closed once every sender is gone"
        );
    });
}

#[test]
fn close_wakes_waiting_receivers_with_an_error() {
    silly::run(|| {
        let (tx, rx) = sync::channel::<u32>();
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                task::fork(move || rx.recv())
            })
            .collect();
        task::yield_now(); // let them park
        tx.send(7).unwrap();
        tx.close();
        let results: Vec<_> = waiters.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(results, [Ok(7), Err(RecvError), Err(RecvError)]);
        assert_eq!(
            tx.send(1).unwrap_err().0,
            1,
            "send after close gives the value back"
        );
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

#[test]
fn bounded_send_blocks_when_full() {
    silly::run(|| {
        let (tx, rx) = sync::bounded(2);
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let producer = task::fork(move || {
            for i in 0..5 {
                tx.send(i).unwrap();
                l.borrow_mut().push(format!("sent {i}"));
            }
        });
        time::sleep(Duration::from_millis(5));
        assert_eq!(
            *log.borrow(),
            ["sent 0", "sent 1"],
            "third send waits for room"
        );
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.recv(), Ok(0));
        task::yield_now();
        assert_eq!(log.borrow().len(), 3);
        let rest: Vec<_> = std::iter::from_fn(|| rx.recv().ok()).collect();
        assert_eq!(rest, [1, 2, 3, 4]);
        producer.join().unwrap();
    });
}

#[test]
fn rendezvous_send_waits_for_the_receiver() {
    silly::run(|| {
        let (tx, rx) = sync::bounded(0);
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        let sender = task::fork(move || {
            tx.send("x").unwrap();
            *d.borrow_mut() = true;
        });
        time::sleep(Duration::from_millis(5));
        assert!(!*done.borrow(), "no receiver yet: send has not returned");
        assert_eq!(rx.recv(), Ok("x"));
        sender.join().unwrap();
        assert!(*done.borrow());
    });
}

#[test]
fn dropping_the_receiver_fails_blocked_senders() {
    silly::run(|| {
        let (tx, rx) = sync::bounded(1);
        tx.send(1).unwrap();
        let blocked = task::fork(move || tx.send(2));
        task::yield_now();
        drop(rx);
        assert_eq!(blocked.join().unwrap().unwrap_err().0, 2);
    });
}

#[test]
fn mutex_is_fifo_fair() {
    silly::run(|| {
        let m = Rc::new(Mutex::new(Vec::new()));
        let guard = m.lock();
        let handles: Vec<_> = (0..5)
            .map(|i| {
                let m = m.clone();
                task::fork(move || {
                    m.lock().push(i);
                    // Lock again at once: must queue behind the others, not barge.
                    task::yield_now();
                    m.lock().push(i + 10);
                })
            })
            .collect();
        task::yield_now(); // all five queue on the lock
        assert!(m.try_lock().is_none());
        drop(guard);
        for h in handles {
            h.join().unwrap();
        }
        let order = m.lock().clone();
        assert_eq!(&order[..5], &[0, 1, 2, 3, 4]);
        let mut second: Vec<_> = order[5..].to_vec();
        second.sort();
        assert_eq!(second, [10, 11, 12, 13, 14]);
    });
}

#[test]
fn mutex_held_across_suspension_excludes_others() {
    silly::run(|| {
        let m = Rc::new(Mutex::new(0u32));
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let m = m.clone();
                task::fork(move || {
                    let mut g = m.lock();
                    let v = *g;
                    time::sleep(Duration::from_millis(1));
                    *g = v + 1; // lost updates if the lock did not hold
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*m.lock(), 10);
    });
}

#[test]
fn waitgroup_waits_for_all_including_panicking_ones() {
    silly::run(|| {
        let wg = WaitGroup::new();
        let done = Rc::new(RefCell::new(0));
        for i in 0..10u64 {
            let d = done.clone();
            wg.fork(move || {
                time::sleep(Duration::from_millis(i % 3));
                if i == 5 {
                    panic!("one fails");
                }
                *d.borrow_mut() += 1;
            });
        }
        wg.wait();
        assert_eq!(wg.count(), 0);
        assert_eq!(*done.borrow(), 9);
        wg.wait(); // at zero: returns at once
    });
}

#[test]
fn semaphore_limits_concurrency_fifo() {
    silly::run(|| {
        let sem = Rc::new(Semaphore::new(2));
        let active = Rc::new(RefCell::new((0, 0))); // (now, max)
        let order = Rc::new(RefCell::new(Vec::new()));
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let (sem, active, order) = (sem.clone(), active.clone(), order.clone());
                task::fork(move || {
                    let _permit = sem.acquire();
                    order.borrow_mut().push(i);
                    {
                        let mut a = active.borrow_mut();
                        a.0 += 1;
                        a.1 = a.1.max(a.0);
                    }
                    time::sleep(Duration::from_millis(2));
                    active.borrow_mut().0 -= 1;
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(active.borrow().1, 2, "never more than two at once");
        assert_eq!(
            *order.borrow(),
            [0, 1, 2, 3, 4, 5],
            "served in arrival order"
        );
        assert_eq!(sem.available(), 2);
        sem.add_permits(1);
        assert_eq!(sem.available(), 3);
    });
}

#[test]
fn a_waiter_unwound_at_shutdown_leaves_the_lock_usable() {
    // The main task returns while a task waits for the mutex; shutdown unwinds the
    // waiter. The mutex (kept alive outside run) must still be consistent.
    let m = Rc::new(Mutex::new(1));
    let m2 = m.clone();
    silly::run(move || {
        let g = m2.lock();
        let m3 = m2.clone();
        task::fork(move || *m3.lock() += 1);
        task::yield_now();
        drop(g); // hands the lock to the waiter, which is then unwound before it runs
    });
    silly::run(move || {
        assert_eq!(*m.try_lock().expect("lock is free again"), 1);
    });
}

#[test]
fn default_mutex_is_unlocked() {
    silly::run(|| {
        let m: Mutex<Vec<u8>> = Mutex::default();
        m.lock().push(1);
        assert_eq!(*m.lock(), [1]);
    });
}

#[test]
fn rendezvous_send_fails_when_no_receiver_takes_it() {
    silly::run(|| {
        let (tx, rx) = sync::bounded::<&str>(0);
        let sender = task::fork(move || tx.send("lost?"));
        task::yield_now(); // the sender queues its message and waits
        drop(rx);
        assert_eq!(sender.join().unwrap().unwrap_err().0, "lost?");
    });
}

#[test]
fn last_receiver_drop_drops_queued_messages() {
    silly::run(|| {
        let marker = Rc::new(());
        let (tx, rx) = sync::channel();
        tx.send(marker.clone()).unwrap();
        tx.send(marker.clone()).unwrap();
        assert_eq!(Rc::strong_count(&marker), 3);
        drop(rx);
        assert_eq!(
            Rc::strong_count(&marker),
            1,
            "queued values dropped with the last receiver"
        );
        assert!(tx.send(marker.clone()).is_err());
    });
}

#[test]
fn try_send_never_blocks() {
    use silly::sync::TrySendError;
    silly::run(|| {
        let (tx, rx) = sync::bounded(2);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Ok(()));
        assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(tx.try_send(3), Ok(()));
        rx.close();
        assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
        let (tx, rx) = sync::bounded(0);
        assert_eq!(
            tx.try_send("no receiver"),
            Err(TrySendError::Full("no receiver"))
        );
        let waiter = task::fork(move || rx.recv());
        task::yield_now();
        assert_eq!(tx.try_send("taken"), Ok(()));
        assert_eq!(waiter.join().unwrap(), Ok("taken"));
    });
}

#[test]
fn a_failed_try_acquire_releases_nothing() {
    silly::run(|| {
        let sem = Semaphore::new(1);
        let held = sem.acquire();
        for _ in 0..3 {
            assert!(sem.try_acquire().is_none());
        }
        assert_eq!(sem.available(), 0, "still only the one permit, held");
        drop(held);
        assert_eq!(sem.available(), 1);
    });
}
