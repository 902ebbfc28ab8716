//! Registering I/O sources with the runtime, and the try-then-park loop that
//! turns a non-blocking syscall into a blocking-style call.
//!
//! This is the layer `silly-net` builds on; applications rarely need it.
//!
//! ```no_run
//! use silly_runtime::io::{Interest, Registered};
//! use std::io::Read;
//!
//! silly_runtime::run(|| -> std::io::Result<()> {
//!     let std_stream = std::net::TcpStream::connect("127.0.0.1:7")?;
//!     std_stream.set_nonblocking(true)?;
//!     let stream = Registered::new(mio::net::TcpStream::from_std(std_stream))?;
//!     let mut buf = [0; 512];
//!     let n = stream.io(Interest::READABLE, None, |mut s| s.read(&mut buf))?;
//!     println!("{n} bytes");
//!     Ok(())
//! }).unwrap();
//! ```

use std::fmt;
use std::io;
use std::rc::Rc;
use std::time::Instant;

pub use mio::Interest;

use mio::event::Source;

use crate::context::{self, Context};
use crate::leaves::cell::{Park, Waker};
use crate::sync::selectable::{SelectWaiter, Selectable, Watch};

/// A non-blocking I/O source registered with the current runtime's reactor.
/// Dropping it deregisters the source (and then drops it, closing its fd).
pub struct Registered<S: Source> {
    source: S,
    key: usize,
    cx: Rc<Context>,
}

impl<S: Source + fmt::Debug> fmt::Debug for Registered<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("source", &self.source)
            .field("key", &self.key)
            .finish()
    }
}

impl<S: Source> Registered<S> {
    /// Registers `source` (already in non-blocking mode) with the current runtime.
    ///
    /// # Panics
    ///
    /// Panics outside [`run`](crate::run).
    pub fn new(mut source: S) -> io::Result<Self> {
        let cx = context::current();
        let key = cx.reactor.register(&mut source)?;
        Ok(Registered { source, key, cx })
    }

    /// The source.
    pub fn get_ref(&self) -> &S {
        &self.source
    }

    /// Runs `op` until it does not fail with `WouldBlock`, suspending the calling
    /// coroutine between tries until the source is ready for `interest`
    /// (`READABLE` or `WRITABLE`).
    ///
    /// # Errors
    ///
    /// Whatever `op` returns, or `ErrorKind::TimedOut` once `deadline` passes.
    ///
    /// # Interrupts
    ///
    /// Whole: the readiness recorded for the source is kept for the next call; `op` is
    /// never cut in the middle (it does not suspend).
    pub fn io<R>(
        &self,
        interest: Interest,
        deadline: Option<Instant>,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            if self.is_ready(interest) {
                match op(&self.source) {
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        self.clear_ready(interest)
                    }
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    result => return result,
                }
            }
            self.wait(interest, deadline)?;
        }
    }

    /// Whether an edge for `interest` may not have been consumed yet (or the
    /// direction is closed): a syscall is worth trying.
    pub fn is_ready(&self, interest: Interest) -> bool {
        self.cx.reactor.is_ready(self.key, interest)
    }

    /// Records that the source is drained for `interest`, as a `WouldBlock` proves,
    /// or a read shorter than its buffer (edge-triggered: the next arrival is a
    /// new edge). The next call then parks without a futile syscall.
    pub fn clear_ready(&self, interest: Interest) {
        self.cx.reactor.clear_ready(self.key, interest);
    }

    /// Suspends the calling coroutine until an event for `interest` arrives,
    /// [`wake_all`](Self::wake_all) is called, or `deadline` passes.
    ///
    /// # Errors
    ///
    /// `ErrorKind::TimedOut` if the deadline passed first; `ErrorKind::Other` if
    /// the source belongs to a runtime that is no longer the current one, or if
    /// the calling coroutine is being unwound at shutdown (a destructor that
    /// flushes a socket then fails instead of waiting).
    ///
    /// # Interrupts
    ///
    /// Whole: the readiness recorded for the source is kept.
    pub fn wait(&self, interest: Interest, deadline: Option<Instant>) -> io::Result<()> {
        // This runtime's scheduler runs a task only while the runtime is the
        // thread's current one: no thread-local lookup is needed to check that.
        let Some(task) = self.cx.scheduler.current() else {
            return Err(io::Error::other(
                "silly: I/O object used outside the runtime that created it",
            ));
        };
        if task.unwinding.get() {
            return Err(io::Error::other("silly: runtime shutting down"));
        }
        // A deadline already past needs no clock read here: its timer fires on the
        // next loop turn and the check below reports it.
        let waker = Waker::for_next_park(task.clone());
        self.cx
            .reactor
            .add_waiter(self.key, interest, waker.clone(), deadline)?;
        let waiting = WaitingFor {
            registered_key: self.key,
            cx: &self.cx,
            interest,
            waker,
        };
        task.park(Park::Internal);
        drop(task);
        drop(waiting);
        if !self.is_ready(interest) && deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(timed_out());
        }
        Ok(())
    }

    /// Wakes every task waiting on this source, in both directions; they return
    /// from [`wait`](Self::wait) (and `io` retries its syscall). Used to make a
    /// waiting task notice a state change it must check, like a listener closed.
    pub fn wake_all(&self) {
        self.cx
            .reactor
            .wake_all(self.key, self.cx.scheduler.ready());
    }
}

impl<S: Source> Selectable for Registered<S> {
    /// Readable: an edge arrived that no read consumed yet, or the read side
    /// is closed. A read may still find nothing (then it waits).
    fn is_ready(&self) -> bool {
        Registered::is_ready(self, Interest::READABLE)
    }

    fn watch(&self, waiter: &SelectWaiter) -> Watch<'_> {
        let waker = waiter.waker();
        let added = self
            .cx
            .reactor
            .add_waiter(self.key, Interest::READABLE, waker.clone(), None);
        if added.is_err() {
            return Watch::none(); // deregistered: never ready again
        }
        Watch::new(move || {
            self.cx
                .reactor
                .remove_waiter(self.key, Interest::READABLE, &waker)
        })
    }
}

impl<S: Source> Drop for Registered<S> {
    fn drop(&mut self) {
        let cx = &self.cx;
        cx.reactor
            .deregister(&mut self.source, self.key, cx.scheduler.ready());
    }
}

/// Takes a waiter off its registration's list when the wait ends any other way
/// than by that registration's event: a timeout, or the coroutine being unwound.
struct WaitingFor<'a> {
    registered_key: usize,
    cx: &'a Context,
    interest: Interest,
    waker: Waker,
}

impl Drop for WaitingFor<'_> {
    fn drop(&mut self) {
        self.cx
            .reactor
            .remove_waiter(self.registered_key, self.interest, &self.waker);
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "operation timed out")
}
