//! Waiting for Unix signals in a coroutine (silly's `silly.signal`).
//!
//! [`wait`] suspends the calling coroutine until one of the given signals
//! arrives; every other coroutine keeps running. A signal that arrives while
//! the loop sleeps in `epoll_wait` wakes it at once: `signal-hook` writes the
//! signal to a pipe from its handler, and the pipe is a source of the
//! runtime's reactor (`signal-hook-mio`). Every coroutine that waits for a
//! signal when it arrives sees it.
//!
//! ```no_run
//! use silly_runtime::signal::{self, Signal};
//!
//! silly_runtime::run(|| {
//!     // ... start servers ...
//!     let got = signal::wait(&[Signal::Term, Signal::Int]).unwrap();
//!     println!("{got:?}: shutting down");
//! });
//! ```
//!
//! # Signals nobody waits for
//!
//! Until the first `wait` for a signal, it keeps its default action (SIGINT
//! and SIGTERM end the process). From then on this process catches it for
//! good: a signal that arrives while no coroutine waits is kept and ends the
//! next `wait` for it (so `loop { wait(..); reload() }` misses none), and it
//! no longer ends the process. Each runtime of a multi-runtime process sees
//! every signal.
//!
//! Dependencies: `signal-hook` (the async-signal-safe handler and its pipe)
//! and `signal-hook-mio` (that pipe as a mio source), rather than a
//! hand-written self-pipe.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io;

use mio::event::Source;
use mio::{Interest, Registry, Token};
use signal_hook::consts::signal as number;
use signal_hook_mio::v1_0::Signals;

use crate::context;
use crate::io::Registered;

/// A signal a coroutine can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// SIGHUP: conventionally, reload the configuration.
    Hup,
    /// SIGINT: Ctrl-C.
    Int,
    /// SIGQUIT.
    Quit,
    /// SIGTERM: stop (what `kill`, systemd and container runtimes send).
    Term,
    /// SIGUSR1.
    Usr1,
    /// SIGUSR2.
    Usr2,
}

impl Signal {
    /// The signal's number.
    pub fn number(self) -> i32 {
        match self {
            Signal::Hup => number::SIGHUP,
            Signal::Int => number::SIGINT,
            Signal::Quit => number::SIGQUIT,
            Signal::Term => number::SIGTERM,
            Signal::Usr1 => number::SIGUSR1,
            Signal::Usr2 => number::SIGUSR2,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Signal::Hup => "SIGHUP",
            Signal::Int => "SIGINT",
            Signal::Quit => "SIGQUIT",
            Signal::Term => "SIGTERM",
            Signal::Usr1 => "SIGUSR1",
            Signal::Usr2 => "SIGUSR2",
        };
        f.write_str(name)
    }
}

/// Suspends the calling coroutine until one of `signals` arrives (or one
/// arrived since this runtime last looked, unseen by any `wait`), and returns
/// it. See the module docs for what catching a signal changes.
///
/// # Errors
///
/// The signal pipe could not be made or registered (no file descriptor left);
/// `InvalidInput` for an empty list.
///
/// # Panics
///
/// Panics outside a coroutine.
///
/// # Interrupts
///
/// Whole: a signal that arrives after the cut is seen by the next `wait`.
pub fn wait(signals: &[Signal]) -> io::Result<Signal> {
    if signals.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "signal::wait needs at least one signal",
        ));
    }
    let hub = context::local(Hub::new)?;
    for signal in signals {
        hub.catch(*signal)?;
    }
    let before: Vec<u64> = signals.iter().map(|s| hub.seen(*s)).collect();
    loop {
        hub.drain();
        let arrived = signals
            .iter()
            .zip(&before)
            .find(|(signal, before)| hub.seen(**signal) > **before);
        if let Some((signal, _)) = arrived {
            return Ok(*signal);
        }
        hub.pipe.wait(Interest::READABLE, None)?;
    }
}

/// A runtime's view of the signals: the pipe signal-hook writes them to, and
/// how many of each it has read from there.
struct Hub {
    pipe: Registered<Pipe>,
    /// Times each signal (by number) was read from the pipe: a waiter compares
    /// with what it saw when it began.
    seen: RefCell<HashMap<i32, u64>>,
    caught: RefCell<Vec<i32>>,
}

impl Hub {
    fn new() -> io::Result<Hub> {
        let signals = Signals::new(std::iter::empty::<i32>())?;
        Ok(Hub {
            pipe: Registered::new(Pipe(RefCell::new(signals)))?,
            seen: RefCell::default(),
            caught: RefCell::default(),
        })
    }

    /// Makes signal-hook catch `signal` for this runtime, once.
    fn catch(&self, signal: Signal) -> io::Result<()> {
        let n = signal.number();
        if !self.caught.borrow().contains(&n) {
            self.pipe.get_ref().0.borrow().add_signal(n)?;
            self.caught.borrow_mut().push(n);
        }
        Ok(())
    }

    fn seen(&self, signal: Signal) -> u64 {
        self.seen
            .borrow()
            .get(&signal.number())
            .copied()
            .unwrap_or(0)
    }

    /// Reads what the pipe holds and counts it. The pipe is then empty: the
    /// next signal is a new edge that wakes the waiters.
    fn drain(&self) {
        let mut seen = self.seen.borrow_mut();
        for n in self.pipe.get_ref().0.borrow_mut().pending() {
            *seen.entry(n).or_default() += 1;
        }
        self.pipe.clear_ready(Interest::READABLE);
    }
}

/// signal-hook's `Signals` as a source `Registered` can hold: `pending` needs
/// `&mut`, `Registered` lends `&`.
struct Pipe(RefCell<Signals>);

impl Source for Pipe {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interest: Interest,
    ) -> io::Result<()> {
        self.0.get_mut().register(registry, token, interest)
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interest: Interest,
    ) -> io::Result<()> {
        self.0.get_mut().reregister(registry, token, interest)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        self.0.get_mut().deregister(registry)
    }
}
