//! The reactor: mio's poll, and per registration the readiness we have seen and
//! the tasks waiting for more.
//!
//! mio is edge-triggered: an event says "something changed", once. A task tries its
//! syscall first and parks only after `WouldBlock`; the next edge then wakes it. The
//! `readable`/`writable` flags remember an edge that arrived while nobody waited,
//! and are cleared only when a syscall proves the socket drained, so a task never
//! parks on an edge it has not consumed. Closed/error states are sticky: a peer's
//! FIN is one edge, and must not be forgotten by a later short read.

use std::cell::RefCell;
use std::io;
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token};
use slab::Slab;

use crate::scheduler::Scheduler;
use crate::task::cell::Waker;

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
    pub(crate) readers: Vec<Waker>,
    pub(crate) writers: Vec<Waker>,
}

impl Registration {
    pub(crate) fn is_ready(&self, interest: Interest) -> bool {
        if interest.is_readable() {
            self.readable || self.read_closed
        } else {
            self.writable || self.write_closed
        }
    }

    pub(crate) fn waiters(&mut self, interest: Interest) -> &mut Vec<Waker> {
        if interest.is_readable() {
            &mut self.readers
        } else {
            &mut self.writers
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
    pub(crate) fn deregister(&self, source: &mut impl Source, key: usize) {
        let _ = self.poll.borrow().registry().deregister(source);
        let removed = self.registrations.borrow_mut().try_remove(key);
        if let Some(mut registration) = removed {
            for waker in registration
                .readers
                .drain(..)
                .chain(registration.writers.drain(..))
            {
                waker.wake();
            }
        }
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
                for waker in registration.readers.drain(..) {
                    waker.wake_in(scheduler);
                }
            }
            if event.is_writable() || event.is_write_closed() || error {
                registration.writable = true;
                registration.write_closed |= event.is_write_closed() || error;
                for waker in registration.writers.drain(..) {
                    waker.wake_in(scheduler);
                }
            }
        }
        blocking_done
    }
}
