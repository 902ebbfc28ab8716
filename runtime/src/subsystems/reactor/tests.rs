//! The reactor on its own: a socket pair, tasks marked parked by hand, no
//! runtime and no coroutines.

use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mio::net::UnixStream;
use mio::Interest;

use super::Reactor;
use crate::leaves::cell::{Park, State, TaskCell, Waker};
use crate::leaves::ready::ReadyQueue;

fn parked(id: u64) -> Rc<TaskCell> {
    let task = Rc::new(TaskCell::new(id, None, None, Box::new(|_| {})));
    task.state.set(State::Parked(Park::Internal));
    task
}

fn woken(ready: &ReadyQueue) -> Vec<u64> {
    std::iter::from_fn(|| ready.pop()).map(|t| t.id).collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

struct Fixture {
    reactor: Reactor,
    ready: ReadyQueue,
    ours: UnixStream,
    peer: UnixStream,
    key: usize,
}

fn fixture() -> Fixture {
    let reactor = Reactor::new().unwrap();
    let (mut ours, peer) = UnixStream::pair().unwrap();
    let key = reactor.register(&mut ours).unwrap();
    Fixture {
        reactor,
        ready: ReadyQueue::default(),
        ours,
        peer,
        key,
    }
}

#[test]
fn readiness_is_assumed_until_a_syscall_clears_it_and_an_event_restores_it() {
    let mut f = fixture();
    assert!(f.reactor.is_ready(f.key, Interest::READABLE));
    assert!(f.reactor.is_ready(f.key, Interest::WRITABLE));
    f.reactor.clear_ready(f.key, Interest::READABLE);
    assert!(!f.reactor.is_ready(f.key, Interest::READABLE));
    assert!(
        f.reactor.is_ready(f.key, Interest::WRITABLE),
        "directions are separate"
    );

    let reader = parked(1);
    let waker = Waker::for_next_park(reader.clone());
    f.reactor
        .add_waiter(f.key, Interest::READABLE, waker, None)
        .unwrap();
    f.peer.write_all(b"x").unwrap();
    f.reactor.poll(Some(ms(1000)), &f.ready);
    assert!(f.reactor.is_ready(f.key, Interest::READABLE));
    assert_eq!(woken(&f.ready), [1]);
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
}

#[test]
fn a_closed_direction_stays_ready() {
    let mut f = fixture();
    f.reactor.clear_ready(f.key, Interest::READABLE);
    drop(std::mem::replace(
        &mut f.peer,
        UnixStream::pair().unwrap().0,
    ));
    f.reactor.poll(Some(ms(1000)), &f.ready);
    f.reactor.clear_ready(f.key, Interest::READABLE);
    assert!(
        f.reactor.is_ready(f.key, Interest::READABLE),
        "the peer's close is one edge and must not be forgotten"
    );
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
}

#[test]
fn a_removed_waiter_is_not_woken() {
    let mut f = fixture();
    let (a, b) = (parked(1), parked(2));
    let wa = Waker::for_next_park(a.clone());
    let wb = Waker::for_next_park(b.clone());
    f.reactor
        .add_waiter(f.key, Interest::READABLE, wa.clone(), None)
        .unwrap();
    f.reactor
        .add_waiter(f.key, Interest::READABLE, wb, None)
        .unwrap();
    f.reactor.remove_waiter(f.key, Interest::READABLE, &wa);
    f.reactor.wake_all(f.key, &f.ready);
    assert_eq!(woken(&f.ready), [2]);
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
}

#[test]
fn one_deadline_timer_per_direction_fires_for_the_earliest_waiter_and_rearms() {
    let mut f = fixture();
    let t0 = Instant::now();
    let (late, early, later) = (parked(1), parked(2), parked(3));
    let add = |task: &Rc<TaskCell>, after: u64| {
        f.reactor
            .add_waiter(
                f.key,
                Interest::READABLE,
                Waker::for_next_park(task.clone()),
                Some(t0 + ms(after)),
            )
            .unwrap();
    };
    add(&late, 100);
    assert_eq!(f.reactor.next_deadline(), Some(t0 + ms(100)));
    add(&early, 10); // earlier: the timer moves
    assert_eq!(f.reactor.next_deadline(), Some(t0 + ms(10)));
    add(&later, 200); // later: the timer stays
    assert_eq!(f.reactor.deadline_timers(), 1);

    f.reactor.expire(t0 + ms(9), &f.ready);
    assert!(woken(&f.ready).is_empty(), "nothing due yet");
    f.reactor.expire(t0 + ms(10), &f.ready);
    assert_eq!(woken(&f.ready), [2]);
    assert_eq!(f.reactor.next_deadline(), Some(t0 + ms(100)), "re-armed");
    f.reactor.expire(t0 + ms(250), &f.ready);
    assert_eq!(woken(&f.ready), [1, 3]);
    assert_eq!(f.reactor.deadline_timers(), 0);
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
}

#[test]
fn when_io_wins_the_timer_stays_armed_and_then_goes_away_quietly() {
    let mut f = fixture();
    let t0 = Instant::now();
    let task = parked(1);
    f.reactor
        .add_waiter(
            f.key,
            Interest::READABLE,
            Waker::for_next_park(task.clone()),
            Some(t0 + ms(50)),
        )
        .unwrap();
    f.reactor.wake_all(f.key, &f.ready);
    assert_eq!(woken(&f.ready), [1]);
    assert_eq!(f.reactor.deadline_timers(), 1, "lazy: not cancelled");
    task.state.set(State::Parked(Park::Internal)); // parked again, without a deadline
    f.reactor
        .add_waiter(
            f.key,
            Interest::READABLE,
            Waker::for_next_park(task.clone()),
            None,
        )
        .unwrap();
    f.reactor.expire(t0 + ms(50), &f.ready);
    assert!(
        woken(&f.ready).is_empty(),
        "a waiter without a deadline stays"
    );
    assert_eq!(f.reactor.deadline_timers(), 0, "nothing left to re-arm for");
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
}

#[test]
fn deregistering_wakes_the_waiters_and_cancels_their_timers() {
    let mut f = fixture();
    let (r, w) = (parked(1), parked(2));
    let far = Some(Instant::now() + ms(60_000));
    f.reactor
        .add_waiter(f.key, Interest::READABLE, Waker::for_next_park(r), far)
        .unwrap();
    f.reactor
        .add_waiter(f.key, Interest::WRITABLE, Waker::for_next_park(w), far)
        .unwrap();
    assert_eq!(f.reactor.deadline_timers(), 2);
    f.reactor.deregister(&mut f.ours, f.key, &f.ready);
    assert_eq!(woken(&f.ready), [1, 2]);
    assert_eq!(f.reactor.deadline_timers(), 0);
    assert_eq!(f.reactor.len(), 0);
    assert!(!f.reactor.is_ready(f.key, Interest::READABLE));
    let late = Waker::for_next_park(parked(3));
    let err = f
        .reactor
        .add_waiter(f.key, Interest::READABLE, late, None)
        .unwrap_err();
    assert!(err.to_string().contains("no longer registered"), "{err}");
}

#[test]
fn the_waker_ends_a_poll_from_another_thread() {
    let reactor = Reactor::new().unwrap();
    // Kept alive here: closing the waker's fd would take it out of the poll.
    let waker = std::sync::Arc::new(reactor.waker().unwrap());
    let other = waker.clone();
    let thread = std::thread::spawn(move || other.wake().unwrap());
    let ready = ReadyQueue::default();
    let mut woken = false;
    for _ in 0..100 {
        if reactor.poll(Some(ms(100)), &ready) {
            woken = true;
            break;
        }
    }
    thread.join().unwrap();
    assert!(woken);
}
