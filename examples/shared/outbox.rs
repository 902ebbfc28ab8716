//! A client's outbox, shared by the chat and broadcast examples: the messages
//! on their way to one WebSocket client, and the writer coroutine's loop that
//! sends them.
//!
//! Queueing never suspends, so one client never holds up a broadcast, and a
//! burst (a thousand clients saying hello at once) is queued whole: how many
//! messages wait says nothing about a client, only what its socket does. A
//! client is too slow, and dropped with close code 1008, when
//!
//! - its socket takes nothing for the socket's write timeout (the write fails), or
//! - its queue holds more than the outbox's byte limit while its writer waits
//!   on a socket that has taken nothing since an earlier turn of the event
//!   loop. A writer that has not had its turn yet does not count against it.
//!
//! Queued messages are shared (`Rc<str>`): a message sent to every client is
//! one allocation, and a slow client's queue holds pointers to it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::net::Shutdown;
use std::rc::Rc;
use std::time::Instant;

use silly::net::websocket::{code, Error, FrameType, Socket};
use silly::sync::Notify;
use silly::time;

/// Where an outbox is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// The client left: the writer ends.
    Closed,
    /// The client could not keep up: the writer closes with 1008.
    TooSlow,
}

/// The client behind an outbox is too slow (it has been dropped).
#[derive(Debug)]
pub struct TooSlow;

/// The messages waiting for one client.
#[derive(Debug)]
pub struct Outbox {
    queue: RefCell<VecDeque<Rc<str>>>,
    /// Bytes of text in `queue`.
    bytes: Cell<usize>,
    /// More than this many queued bytes, while the socket takes nothing, is too slow.
    max_bytes: usize,
    /// The loop turn in which the write in progress began, if one is.
    writing_since: Cell<Option<Instant>>,
    state: Cell<State>,
    /// Wakes the writer when there is something to send, or an end.
    wake: Notify,
}

impl Outbox {
    /// An open, empty outbox whose client is too slow with more than
    /// `max_bytes` queued (see the module docs).
    pub fn new(max_bytes: usize) -> Outbox {
        Outbox {
            queue: RefCell::new(VecDeque::new()),
            bytes: Cell::new(0),
            max_bytes,
            writing_since: Cell::new(None),
            state: Cell::new(State::Open),
            wake: Notify::new(),
        }
    }

    /// Queues `message` for the client, without suspending.
    ///
    /// # Errors
    ///
    /// [`TooSlow`] if the client cannot keep up (now, or found so before): the
    /// message is not queued, the queue is dropped, and the writer closes the
    /// connection with 1008. The caller forgets the client.
    pub fn push(&self, message: Rc<str>) -> Result<(), TooSlow> {
        match self.state.get() {
            State::Open => {}
            State::TooSlow => return Err(TooSlow),
            State::Closed => return Ok(()), // it left: nobody to tell
        }
        self.bytes.set(self.bytes.get() + message.len());
        self.queue.borrow_mut().push_back(message);
        let stuck = self
            .writing_since
            .get()
            .is_some_and(|since| since < time::loop_now());
        if stuck && self.bytes.get() > self.max_bytes {
            self.end(State::TooSlow);
            return Err(TooSlow);
        }
        self.wake.notify_one();
        Ok(())
    }

    /// The client left: the writer stops once the queue is empty.
    pub fn close(&self) {
        if self.state.get() == State::Open {
            self.end(State::Closed);
        }
    }

    /// Whether the client was dropped for being too slow.
    pub fn is_too_slow(&self) -> bool {
        self.state.get() == State::TooSlow
    }

    fn end(&self, state: State) {
        self.state.set(state);
        if state == State::TooSlow {
            self.queue.borrow_mut().clear();
            self.bytes.set(0);
        }
        self.wake.notify_one();
    }

    /// The writer coroutine's loop: sends the queued messages to `sock` in
    /// order until the client leaves, the connection fails, or the client is
    /// too slow. At the end the connection is shut down, which also ends the
    /// coroutine reading from it.
    pub fn write_to(&self, sock: &Socket) {
        loop {
            if self.is_too_slow() {
                // Dropped while its socket still takes data: say why.
                let _ = sock.close_with(code::POLICY_VIOLATION, "too slow");
                break;
            }
            let next = self.queue.borrow_mut().pop_front();
            let Some(message) = next else {
                if self.state.get() == State::Closed {
                    break;
                }
                self.wake.wait();
                continue;
            };
            self.bytes.set(self.bytes.get() - message.len());
            self.writing_since.set(Some(time::loop_now()));
            let written = sock.write(message.as_bytes(), FrameType::Text);
            self.writing_since.set(None);
            match written {
                Ok(()) => {}
                // The socket took nothing for the write timeout. No close
                // frame: it would wait as long again, behind a cut-off frame.
                Err(Error::Io(e)) if e.kind() == io::ErrorKind::TimedOut => {
                    self.end(State::TooSlow);
                    break;
                }
                Err(_) => break,
            }
        }
        let _ = sock.conn().shutdown(Shutdown::Both);
    }
}
