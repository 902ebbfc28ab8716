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
//! Deadlines are lazy. A server arms a read timeout around every request and the
//! request nearly always arrives first; a timer inserted and cancelled per wait
//! cost more than parsing the request. Instead each direction keeps at most one
//! heap timer, for the earliest deadline a waiter asked for, and leaves it armed
//! when I/O wins. When it fires it wakes the waiters whose deadline passed and
//! re-arms for the earliest one still ahead; if nobody waits any more it just
//! goes away. A connection that reads every few milliseconds with a 60 s timeout
//! touches the timer heap about once a minute.

use std::cell::RefCell;
use std::io;
use std::time::{Duration, Instant};

use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token};
use slab::Slab;

use crate::scheduler::Scheduler;
use crate::task::cell::Waker;
use crate::timer::{Action, TimerKey, Timers};

/// Token of the `mio::Waker` that the blocking pool uses to wake the loop.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);

/// Events taken from the kernel per `epoll_wait`.
const EVENTS_CAPACITY: usize = 1024;

/// What the reactor knows about one registered source.
#[derive(Default)]
pub(crate) struct Registration {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    pub(crate) read_closed: bool,
    pub(crate) write_closed: bool,
    pub(crate) readers: Waiters,
    pub(crate) writers: Waiters,
}

impl Registration {
    pub(crate) fn is_ready(&self, interest: Interest) -> bool {
        if interest.is_readable() {
            self.readable || self.read_closed
        } else {
            self.writable || self.write_closed
        }
    }

    pub(crate) fn waiters(&mut self, interest: Interest) -> &mut Waiters {
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
pub(crate) struct Waiters {
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
    /// Parks `waker` here until the direction's next event, or `deadline`.
    pub(crate) fn push(
        &mut self,
        waker: Waker,
        deadline: Option<Instant>,
        timers: &RefCell<Timers>,
        key: usize,
        interest: Interest,
    ) {
        let waiter = Waiter { waker, deadline };
        if self.first.is_none() && self.more.is_empty() {
            self.first = Some(waiter);
        } else {
            self.more.push(waiter);
        }
        let Some(deadline) = deadline else { return };
        if let Some((at, old)) = self.timer {
            if at <= deadline {
                return; // fires in time; the waiter's own deadline is checked then
            }
            let cancelled = timers.borrow_mut().cancel(old);
            drop(cancelled);
        }
        let action = Action::Deadline {
            key,
            readable: interest.is_readable(),
        };
        self.timer = Some((deadline, timers.borrow_mut().insert(deadline, action)));
    }

    /// Takes `waker` off the list (its wait ended some other way).
    pub(crate) fn remove(&mut self, waker: &Waker) {
        if self.first.as_ref().is_some_and(|w| w.waker.same_as(waker)) {
            self.first = None;
        } else if !self.more.is_empty() {
            self.more.retain(|w| !w.waker.same_as(waker));
        }
    }

    /// Wakes every waiter, in the order they came.
    pub(crate) fn wake_all(&mut self, scheduler: &Scheduler) {
        if let Some(waiter) = self.first.take() {
            waiter.waker.wake_into(scheduler);
        }
        if !self.more.is_empty() {
            for waiter in self.more.drain(..) {
                waiter.waker.wake_into(scheduler);
            }
        }
    }

    /// The armed timer fired at `now`: wakes the waiters whose deadline passed,
    /// and arms again for the earliest deadline left.
    fn expire(
        &mut self,
        now: Instant,
        timers: &RefCell<Timers>,
        scheduler: &Scheduler,
        action: Action,
    ) {
        self.timer = None;
        let mut next: Option<Instant> = None;
        // Whether `waiter` still waits after `now`, waking it if not.
        let mut still_waits = |waiter: &Waiter| match waiter.deadline {
            Some(deadline) if deadline <= now => {
                waiter.waker.wake_in(scheduler);
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
            self.timer = Some((next, timers.borrow_mut().insert(next, action)));
        }
    }

    fn cancel_timer(&mut self, timers: &RefCell<Timers>) {
        if let Some((_, key)) = self.timer.take() {
            let cancelled = timers.borrow_mut().cancel(key);
            drop(cancelled);
        }
    }
}

pub(crate) struct Reactor {
    poll: RefCell<Poll>,
    events: RefCell<Events>,
    pub(crate) registrations: RefCell<Slab<Registration>>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Self> {
        Ok(Reactor {
            poll: RefCell::new(Poll::new()?),
            events: RefCell::new(Events::with_capacity(EVENTS_CAPACITY)),
            registrations: RefCell::new(Slab::new()),
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.registrations.borrow().len()
    }

    pub(crate) fn registry(&self) -> io::Result<Registry> {
        self.poll.borrow().registry().try_clone()
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
    pub(crate) fn deregister(
        &self,
        source: &mut impl Source,
        key: usize,
        timers: &RefCell<Timers>,
        scheduler: &Scheduler,
    ) {
        let _ = self.poll.borrow().registry().deregister(source);
        let removed = self.registrations.borrow_mut().try_remove(key);
        if let Some(mut registration) = removed {
            for waiters in [&mut registration.readers, &mut registration.writers] {
                waiters.cancel_timer(timers);
                waiters.wake_all(scheduler);
            }
        }
    }

    /// The deadline timer of `key`'s readers (or writers) fired at `now`.
    pub(crate) fn expire(
        &self,
        key: usize,
        readable: bool,
        now: Instant,
        timers: &RefCell<Timers>,
        scheduler: &Scheduler,
    ) {
        let mut registrations = self.registrations.borrow_mut();
        // Deregistering cancels the timers, so the key still names their source.
        let Some(registration) = registrations.get_mut(key) else {
            return;
        };
        let waiters = if readable {
            &mut registration.readers
        } else {
            &mut registration.writers
        };
        waiters.expire(now, timers, scheduler, Action::Deadline { key, readable });
    }

    /// Waits for events up to `timeout` (`None`: until one comes) and wakes the
    /// tasks they concern. Returns whether the blocking pool signalled.
    pub(crate) fn poll(&self, timeout: Option<Duration>, scheduler: &Scheduler) -> bool {
        let mut events = self.events.borrow_mut();
        if let Err(err) = self.poll.borrow_mut().poll(&mut events, timeout) {
            if err.kind() != io::ErrorKind::Interrupted {
                eprintln!("silly: epoll_wait failed: {err}");
            }
            return false;
        }
        let mut blocking_done = false;
        let mut registrations = self.registrations.borrow_mut();
        for event in events.iter() {
            if event.token() == WAKER_TOKEN {
                blocking_done = true;
                continue;
            }
            let Some(registration) = registrations.get_mut(event.token().0) else {
                continue; // deregistered while its event was in flight
            };
            let error = event.is_error();
            if event.is_readable() || event.is_read_closed() || error {
                registration.readable = true;
                registration.read_closed |= event.is_read_closed() || error;
                registration.readers.wake_all(scheduler);
            }
            if event.is_writable() || event.is_write_closed() || error {
                registration.writable = true;
                registration.write_closed |= event.is_write_closed() || error;
                registration.writers.wake_all(scheduler);
            }
        }
        blocking_done
    }
}
