//! Waiting for signals: the idle loop wakes at once, every waiter sees the
//! signal, the other coroutines run on. Each test uses its own signal (they are
//! process-wide and the tests of this file run in parallel).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::signal::{self, Signal};
use silly::{task, time};

/// Sends `signal` to this process from another thread after `delay`.
fn raise_after(signal: Signal, delay: Duration) -> std::thread::JoinHandle<Instant> {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let sent = Instant::now();
        // SAFETY: kill(2) with this process's id and a valid signal number;
        // the runtime under test catches it (it waits for it already).
        assert_eq!(unsafe { libc::kill(libc::getpid(), signal.number()) }, 0);
        sent
    })
}

#[test]
fn a_signal_wakes_an_idle_loop_at_once() {
    silly::run(|| {
        // Nothing else to do: the loop sleeps in epoll_wait with no timeout
        // but the 10 s guard, which would fail the test if the signal did not
        // wake it.
        let guard = task::fork(|| time::sleep(Duration::from_secs(10)));
        let started = Instant::now();
        let sender = raise_after(Signal::Usr1, Duration::from_millis(100));
        assert_eq!(signal::wait(&[Signal::Usr1]).unwrap(), Signal::Usr1);
        let woke = Instant::now();
        let sent = sender.join().unwrap();
        assert!(woke >= sent);
        assert!(
            woke - started < Duration::from_secs(5),
            "woken by the signal, not by the guard timer"
        );
        guard.task().cancel();
    });
}

#[test]
fn every_waiter_sees_one_signal_and_the_others_run_on() {
    silly::run(|| {
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        let ticker = task::fork(move || loop {
            time::sleep(Duration::from_millis(5));
            t.set(t.get() + 1);
        });
        let waiters: Vec<_> = (0..2)
            .map(|_| task::fork(|| signal::wait(&[Signal::Hup]).unwrap()))
            .collect();
        task::yield_now(); // both wait
        let sender = raise_after(Signal::Hup, Duration::from_millis(100));
        for w in waiters {
            assert_eq!(w.join().unwrap(), Signal::Hup);
        }
        sender.join().unwrap();
        assert!(ticks.get() >= 5, "the ticker ran while they waited");
        ticker.task().cancel();
    });
}

#[test]
fn wait_returns_the_signal_of_the_set_that_came() {
    silly::run(|| {
        let sender = raise_after(Signal::Usr2, Duration::from_millis(50));
        let got = signal::wait(&[Signal::Quit, Signal::Usr2]).unwrap();
        assert_eq!(got, Signal::Usr2);
        assert_eq!(got.to_string(), "SIGUSR2");
        sender.join().unwrap();
        assert!(signal::wait(&[]).is_err(), "an empty set is refused");
    });
}

#[test]
fn a_waiting_task_can_be_cancelled() {
    silly::run(|| {
        let waiter = task::fork(|| signal::wait(&[Signal::Quit]));
        task::yield_now();
        waiter.task().cancel();
        assert!(waiter.join().unwrap_err().is_cancelled());
    });
}

#[test]
fn a_signal_nobody_waits_for_ends_the_next_wait() {
    silly::run(|| {
        let sender = raise_after(Signal::Term, Duration::from_millis(50));
        assert_eq!(signal::wait(&[Signal::Term]).unwrap(), Signal::Term);
        sender.join().unwrap();
        // Caught from now on: raised while nobody waits, it does not end the
        // process, and the next wait sees it at once.
        // SAFETY: kill(2) on this process with a valid signal number.
        assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGTERM) }, 0);
        let next = time::timeout(Duration::from_secs(5), || signal::wait(&[Signal::Term]));
        assert_eq!(next.unwrap().unwrap(), Signal::Term);
    });
}
