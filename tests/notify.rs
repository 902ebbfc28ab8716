//! `sync::Notify`: waking all waiters, one waiter or a later waiter (permit),
//! and deadlines.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::sync::Notify;
use silly::task::{self, JoinHandle};
use silly::time::Elapsed;

/// Three tasks that wait, in order, and then log their number.
fn three_waiters(notify: &Notify, woken: &Rc<RefCell<Vec<i32>>>) -> Vec<JoinHandle<()>> {
    (0..3)
        .map(|i| {
            let (notify, woken) = (notify.clone(), woken.clone());
            task::fork(move || {
                notify.wait();
                woken.borrow_mut().push(i);
            })
        })
        .collect()
}

#[test]
fn notify_waiters_wakes_every_waiter_and_leaves_no_permit() {
    silly::run(|| {
        let notify = Notify::new();
        let woken = Rc::new(RefCell::new(Vec::new()));
        let waiters = three_waiters(&notify, &woken);
        task::yield_now(); // all three park
        assert!(
            woken.borrow().is_empty(),
            "nobody runs before the notification"
        );
        notify.notify_waiters();
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*woken.borrow(), [0, 1, 2]);
        notify.notify_waiters(); // nobody waits: nothing is kept
        assert!(
            notify.wait_timeout(Duration::from_millis(20)).is_err(),
            "a later wait is not woken by an earlier notify_waiters"
        );
    });
}

#[test]
fn notify_one_wakes_the_longest_waiter_or_stores_one_permit() {
    silly::run(|| {
        let notify = Notify::new();
        let woken = Rc::new(RefCell::new(Vec::new()));
        let waiters = three_waiters(&notify, &woken);
        task::yield_now();
        notify.notify_one();
        task::yield_now();
        assert_eq!(*woken.borrow(), [0], "one waiter, the first to wait");
        notify.notify_one();
        notify.notify_one();
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*woken.borrow(), [0, 1, 2], "in the order they waited");

        // Nobody waits: permits do not add up, there is one.
        notify.notify_one();
        notify.notify_one();
        assert!(
            notify.wait_timeout(Duration::from_secs(30)).is_ok(),
            "the permit is taken"
        );
        assert!(
            notify.wait_timeout(Duration::from_millis(20)).is_err(),
            "and there was only one"
        );
    });
}

#[test]
fn wait_until_gives_up_at_its_deadline_and_wakes_when_notified_before() {
    silly::run(|| {
        let notify = Notify::new();
        let started = Instant::now();
        assert_eq!(
            notify.wait_until(started + Duration::from_millis(30)),
            Err(Elapsed)
        );
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert!(
            notify.wait_until(started).unwrap_err().is_timeout(),
            "a deadline in the past does not wait"
        );

        let n = notify.clone();
        let waiter = task::fork(move || n.wait_timeout(Duration::from_secs(30)));
        task::yield_now();
        notify.notify_one();
        assert_eq!(
            waiter.join().unwrap(),
            Ok(()),
            "notified before its deadline"
        );

        let n = notify.clone();
        let waiter = task::fork(move || n.wait_timeout(Duration::from_secs(30)));
        task::yield_now();
        notify.notify_waiters();
        assert_eq!(waiter.join().unwrap(), Ok(()), "notify_waiters counts too");
    });
}

#[test]
fn a_deadline_passing_does_not_count_as_a_notification_for_others() {
    silly::run(|| {
        let notify = Notify::new();
        let notified = Rc::new(Cell::new(false));
        let patient = {
            let (n, notified) = (notify.clone(), notified.clone());
            task::fork(move || (n.wait_timeout(Duration::from_secs(30)), notified.get()))
        };
        let plain = {
            let (n, notified) = (notify.clone(), notified.clone());
            task::fork(move || {
                n.wait();
                notified.get()
            })
        };
        let n = notify.clone();
        let hasty = task::fork(move || n.wait_timeout(Duration::from_millis(20)));
        assert_eq!(
            hasty.join().unwrap(),
            Err(Elapsed),
            "the short wait times out"
        );
        silly::time::sleep(Duration::from_millis(30));
        notified.set(true);
        notify.notify_waiters();
        assert_eq!(
            patient.join().unwrap(),
            (Ok(()), true),
            "the long wait ended with the notification, not the other deadline"
        );
        assert!(plain.join().unwrap(), "as did the plain wait");
    });
}

#[test]
fn a_picked_waiter_unwound_at_shutdown_passes_its_notification_on() {
    // The main task returns after notify_one picked a waiter that has not run
    // yet; shutdown unwinds it. The notification must survive as a permit.
    let notify = Notify::new();
    let n = notify.clone();
    silly::run(move || {
        let waiter = n.clone();
        task::fork(move || waiter.wait());
        task::yield_now();
        n.notify_one();
    });
    silly::run(move || {
        assert!(
            notify.wait_timeout(Duration::ZERO).is_ok(),
            "the permit was kept"
        );
    });
}
