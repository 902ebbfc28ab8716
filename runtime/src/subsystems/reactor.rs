//! The reactor: mio's poll, and per registration the readiness we have seen and
//! the tasks waiting for more.
//!
//! mio is edge-triggered: an event says "something changed", once. A task tries its
//! syscall first and parks only after `WouldBlock`; the next edge then wakes it. The
//! `readable`/`writable` flags remember an edge that arrived while nobody waited,
//! and are cleared only when a syscall proves the socket drained, so a task never
//! parks on an edge it has not consumed. Closed/error states are sticky: a peer's
//! FIN is one edge, and must not be forgotten by a later short read.
//!
//! Deadlines are lazy, and the reactor keeps them in a timer heap of its own
//! that the driver polls beside the runtime's. A server arms a read timeout
//! around every request and the request nearly always arrives first; a timer
//! inserted and cancelled per wait cost more than parsing the request. Instead each direction keeps at most one
//! heap timer, for the earliest deadline a waiter asked for, and leaves it armed
//! when I/O wins. When it fires it wakes the waiters whose deadline passed and
//! re-arms for the earliest one still ahead; if nobody waits any more it just
//! goes away. A connection that reads every few milliseconds with a 60 s timeout
//! touches the timer heap about once a minute.
//!
//! The reactor knows tasks only as [`Waker`]s and wakes them into the
//! [`ReadyQueue`] it is given: it knows no scheduler and no runtime. Its API is
//! what `io::Registered` needs: register, readiness, add and remove a waiter,
//! wake, poll, expire deadlines.

use std::cell::RefCell;
use std::io;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

use crate::leaves::cell::Waker;
use crate::leaves::ready::ReadyQueue;
use crate::leaves::timer::{TimerKey, Timers};

/// Token of the `mio::Waker` that [`Reactor::waker`] makes, for other threads
/// (the blocking pool) to wake the loop with.
const WAKER_TOKEN: Token = Token(usize::MAX);

/// Events taken from the kernel per `epoll_wait`.
const EVENTS_CAPACITY: usize = 1024;

/// What a deadline timer checks when it fires: the waiters of one direction of
/// one registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deadline {
    key: usize,
    readable: bool,
}

/// What the reactor knows about one registered source.
#[derive(Default)]
struct Registration {
    readable: bool,
    writable: bool,
    read_closed: bool,
    write_closed: bool,
    readers: Waiters,
    writers: Waiters,
}

impl Registration {
    #[inline]
    fn is_ready(&self, interest: Interest) -> bool {
        if interest.is_readable() {
            self.readable || self.read_closed
        } else {
            self.writable || self.write_closed
        }
    }

    #[inline]
    fn waiters(&mut self, interest: Interest) -> &mut Waiters {
        if interest.is_readable() {
            &mut self.readers
        } else {
            &mut self.writers
        }
    }
}

/// The tasks parked on one direction of a source, and the timer that enforces
/// their deadlines (see the module docs). Nearly always one task waits: it is
/// kept inline, so parking and waking it touch no heap.
#[derive(Default)]
struct Waiters {
    first: Option<Waiter>,
    /// Those that came while `first` waited, in order.
    more: Vec<Waiter>,
    /// The armed timer and when it fires: no later than any waiter's deadline.
    timer: Option<(Instant, TimerKey)>,
}

struct Waiter {
    waker: Waker,
    deadline: Option<Instant>,
}

impl Waiters {
    /// Parks `waker` here until the direction's next event, or `deadline`;
    /// `at` is what the deadline timer will check. The timer heap is borrowed
    /// only for a deadline that needs a timer.
    fn push(
        &mut self,
        waker: Waker,
        deadline: Option<Instant>,
        timers: &RefCell<Timers<Deadline>>,
        at: Deadline,
    ) {
        let waiter = Waiter { waker, deadline };
        if self.first.is_none() && self.more.is_empty() {
            self.first = Some(waiter);
        } else {
            self.more.push(waiter);
        }
        let Some(deadline) = deadline else { return };
        let mut timers = timers.borrow_mut();
        if let Some((armed, old)) = self.timer {
            if armed <= deadline {
                return; // fires in time; the waiter's own deadline is checked then
            }
            let _ = timers.cancel(old);
        }
        self.timer = Some((deadline, timers.insert(deadline, at)));
    }

    /// Takes `waker` off the list (its wait ended some other way).
    fn remove(&mut self, waker: &Waker) {
        if self.first.as_ref().is_some_and(|w| w.waker.same_as(waker)) {
            self.first = None;
        } else if !self.more.is_empty() {
            self.more.retain(|w| !w.waker.same_as(waker));
        }
    }

    /// Wakes every waiter, in the order they came.
    fn wake_all(&mut self, ready: &ReadyQueue) {
        if let Some(waiter) = self.first.take() {
            ready.wake_owned(waiter.waker);
        }
        if !self.more.is_empty() {
            for waiter in self.more.drain(..) {
                ready.wake_owned(waiter.waker);
            }
        }
    }

    /// The armed timer fired at `now`: wakes the waiters whose deadline passed,
    /// and arms again for the earliest deadline left.
    fn expire(
        &mut self,
        now: Instant,
        timers: &mut Timers<Deadline>,
        ready: &ReadyQueue,
        at: Deadline,
    ) {
        self.timer = None;
        let mut next: Option<Instant> = None;
        // Whether `waiter` still waits after `now`, waking it if not.
        let mut still_waits = |waiter: &Waiter| match waiter.deadline {
            Some(deadline) if deadline <= now => {
                ready.wake(&waiter.waker);
                false
            }
            Some(deadline) => {
                next = Some(next.map_or(deadline, |n| n.min(deadline)));
                true
            }
            None => true,
        };
        if self.first.as_ref().is_some_and(|w| !still_waits(w)) {
            self.first = None;
        }
        self.more.retain(|w| still_waits(w));
        if let Some(next) = next {
            self.timer = Some((next, timers.insert(next, at)));
        }
    }

    fn cancel_timer(&mut self, timers: &mut Timers<Deadline>) {
        if let Some((_, key)) = self.timer.take() {
            let _ = timers.cancel(key);
        }
    }
}

/// Why a waiter could not be added.
fn not_registered() -> io::Error {
    io::Error::other("silly: source is no longer registered")
}

pub(crate) struct Reactor {
    poll: RefCell<Poll>,
    events: RefCell<Events>,
    registrations: RefCell<Slab<Registration>>,
    /// One lazy timer per waiting direction (see the module docs).
    deadlines: RefCell<Timers<Deadline>>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Self> {
        Ok(Reactor {
            poll: RefCell::new(Poll::new()?),
            events: RefCell::new(Events::with_capacity(EVENTS_CAPACITY)),
            registrations: RefCell::new(Slab::new()),
            deadlines: RefCell::new(Timers::new()),
        })
    }

    /// A waker another thread can use to end the loop's wait in [`poll`](Self::poll),
    /// which then returns `true`.
    pub(crate) fn waker(&self) -> io::Result<mio::Waker> {
        mio::Waker::new(self.poll.borrow().registry(), WAKER_TOKEN)
    }

    /// Registered sources.
    pub(crate) fn len(&self) -> usize {
        self.registrations.borrow().len()
    }

    /// Deadline timers armed for waiters.
    pub(crate) fn deadline_timers(&self) -> usize {
        self.deadlines.borrow().len()
    }

    /// When the earliest waiter's deadline timer fires.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.borrow().next_deadline()
    }

    /// Registers `source` for both directions, edge-triggered; returns its key.
    pub(crate) fn register(&self, source: &mut impl Source) -> io::Result<usize> {
        let key = self.registrations.borrow_mut().insert(Registration {
            // Unknown until the first syscall: assume ready, the syscall will tell.
            readable: true,
            writable: true,
            ..Registration::default()
        });
        let poll = self.poll.borrow();
        let result =
            poll.registry()
                .register(source, Token(key), Interest::READABLE | Interest::WRITABLE);
        if let Err(err) = result {
            self.registrations.borrow_mut().remove(key);
            return Err(err);
        }
        Ok(key)
    }

    /// Removes `source`; tasks still waiting on it are woken to see it gone.
    pub(crate) fn deregister(&self, source: &mut impl Source, key: usize, ready: &ReadyQueue) {
        let _ = self.poll.borrow().registry().deregister(source);
        let removed = self.registrations.borrow_mut().try_remove(key);
        if let Some(mut registration) = removed {
            let mut deadlines = self.deadlines.borrow_mut();
            for waiters in [&mut registration.readers, &mut registration.writers] {
                waiters.cancel_timer(&mut deadlines);
                waiters.wake_all(ready);
            }
        }
    }

    /// Whether an edge for `interest` may not have been consumed yet (or the
    /// direction is closed): a syscall is worth trying. `false` once deregistered.
    #[inline]
    pub(crate) fn is_ready(&self, key: usize, interest: Interest) -> bool {
        let registrations = self.registrations.borrow();
        registrations.get(key).is_some_and(|r| r.is_ready(interest))
    }

    /// Records that the source is drained for `interest` (a `WouldBlock`, or a
    /// read shorter than its buffer): the next edge is news.
    #[inline]
    pub(crate) fn clear_ready(&self, key: usize, interest: Interest) {
        if let Some(r) = self.registrations.borrow_mut().get_mut(key) {
            if interest.is_readable() {
                r.readable = false;
            } else {
                r.writable = false;
            }
        }
    }

    /// Parks `waker` on `key`'s `interest` until its next event, a
    /// [`wake_all`](Self::wake_all), or `deadline`.
    ///
    /// # Errors
    ///
    /// `Other` if `key` is no longer registered.
    #[inline]
    pub(crate) fn add_waiter(
        &self,
        key: usize,
        interest: Interest,
        waker: Waker,
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        let mut registrations = self.registrations.borrow_mut();
        let registration = registrations.get_mut(key).ok_or_else(not_registered)?;
        let at = Deadline {
            key,
            readable: interest.is_readable(),
        };
        registration
            .waiters(interest)
            .push(waker, deadline, &self.deadlines, at);
        Ok(())
    }

    /// Takes `waker` off `key`'s `interest` list: its wait ended another way (a
    /// timeout, the task being unwound). Its deadline timer stays armed, lazily.
    #[inline]
    pub(crate) fn remove_waiter(&self, key: usize, interest: Interest, waker: &Waker) {
        if let Some(r) = self.registrations.borrow_mut().get_mut(key) {
            r.waiters(interest).remove(waker);
        }
    }

    /// Wakes every task waiting on `key`, in both directions.
    pub(crate) fn wake_all(&self, key: usize, ready: &ReadyQueue) {
        if let Some(r) = self.registrations.borrow_mut().get_mut(key) {
            r.readers.wake_all(ready);
            r.writers.wake_all(ready);
        }
    }

    /// Wakes the waiters whose deadline is not after `now`, re-arming each
    /// direction's timer for the deadlines still ahead.
    pub(crate) fn expire(&self, now: Instant, ready: &ReadyQueue) {
        let mut deadlines = self.deadlines.borrow_mut();
        let mut registrations = self.registrations.borrow_mut();
        while let Some(at) = deadlines.pop_expired(now) {
            // Deregistering cancels the timers, so the key still names their source.
            if let Some(registration) = registrations.get_mut(at.key) {
                let waiters = if at.readable {
                    &mut registration.readers
                } else {
                    &mut registration.writers
                };
                waiters.expire(now, &mut deadlines, ready, at);
            }
        }
    }

    /// Waits for events up to `timeout` (`None`: until one comes) and wakes the
    /// tasks they concern. Returns whether the [`waker`](Self::waker) was used.
    pub(crate) fn poll(&self, timeout: Option<Duration>, ready: &ReadyQueue) -> bool {
        let mut events = self.events.borrow_mut();
        if let Err(err) = self.poll.borrow_mut().poll(&mut events, timeout) {
            if err.kind() != io::ErrorKind::Interrupted {
                log::error!("silly: epoll_wait failed: {err}");
            }
            return false;
        }
        let mut woken = false;
        let mut registrations = self.registrations.borrow_mut();
        for event in events.iter() {
            if event.token() == WAKER_TOKEN {
                woken = true;
                continue;
            }
            let Some(registration) = registrations.get_mut(event.token().0) else {
                continue; // deregistered while its event was in flight
            };
            let error = event.is_error();
            if event.is_readable() || event.is_read_closed() || error {
                registration.readable = true;
                registration.read_closed |= event.is_read_closed() || error;
                registration.readers.wake_all(ready);
            }
            if event.is_writable() || event.is_write_closed() || error {
                registration.writable = true;
                registration.write_closed |= event.is_write_closed() || error;
                registration.writers.wake_all(ready);
            }
        }
        woken
    }
}

#[cfg(test)]
mod tests;
