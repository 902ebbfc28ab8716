//! Corking: the hub's flusher and the writer coroutines of subscribers whose
//! socket is full, and the judgment of who is too slow.
//!
//! A publish only queues frames and marks subscribers dirty; the first
//! publish of a turn wakes the hub's one flusher coroutine, which runs after
//! the coroutines already ready (every publisher of the turn) and writes
//! each dirty subscriber's whole queue with one non-blocking `writev`. Only
//! a subscriber whose socket takes less than that gets a writer coroutine,
//! which waits for its socket (bounded by the socket's write timeout) and
//! ends when the queue is drained.

use std::io::{self, IoSlice};
use std::rc::{Rc, Weak};
use std::time::Instant;

use silly_runtime::{task, time};

use super::subscriber::{Subscriber, Writing, MAX_IOV};
use super::{Shared, SlowPolicy};
use crate::close::code;
use crate::socket::Cork;

impl Shared {
    /// Starts the flusher if it is not already on its way.
    pub(super) fn wake_flusher(self: &Rc<Self>) {
        if self.wake.scheduled.replace(true) {
            return;
        }
        if !self.wake.started.replace(true) {
            let weak = Rc::downgrade(self);
            let wake = self.wake.clone();
            // Holds the hub weakly: a hub dropped ends it.
            task::fork(move || loop {
                wake.notify.wait();
                let Some(hub) = weak.upgrade() else {
                    return;
                };
                hub.wake.scheduled.set(false);
                hub.flush();
            });
        }
        self.wake.notify.notify_one();
    }

    /// One corked write per dirty subscriber (see the module docs).
    fn flush(self: &Rc<Self>) {
        let now = time::loop_now();
        let mut dirty = std::mem::take(&mut *self.spare.borrow_mut());
        std::mem::swap(&mut dirty, &mut *self.dirty.borrow_mut());
        for sub in dirty.drain(..) {
            sub.dirty.set(false);
            match sub.writing.get() {
                Writing::Gone => {}
                Writing::Flusher => self.write_now(&sub, now),
                Writing::Coroutine => self.judge(&sub, now),
            }
        }
        *self.spare.borrow_mut() = dirty;
    }

    /// Writes what waits for `sub` without blocking; a socket that takes
    /// less gets a writer coroutine.
    fn write_now(self: &Rc<Self>, sub: &Rc<Subscriber>, now: Instant) {
        let tls = sub.sock.conn().is_tls();
        loop {
            if !sub.sock.is_open() {
                return self.remove(sub);
            }
            let mut cork = Cork::Sent;
            let written = sub.write_some(|iov, bytes| {
                if bytes == 0 {
                    return Ok(0);
                }
                cork = sub.sock.try_cork(iov)?;
                Ok::<usize, io::Error>(match cork {
                    Cork::Sent => bytes,
                    Cork::Held(n) => n,
                    Cork::Busy => 0,
                })
            });
            let frames = match written {
                Ok(frames) => frames,
                // Broken: its reader will see it too and end the socket.
                Err(_) => return self.remove(sub),
            };
            self.count(frames, !tls && cork != Cork::Busy);
            match cork {
                Cork::Sent if sub.queued() == 0 => return,
                Cork::Sent => {} // more than one `writev` holds
                Cork::Held(n) => {
                    if n > 0 {
                        sub.progressed(now);
                    }
                    return self.spawn_writer(sub, true);
                }
                Cork::Busy => return self.spawn_writer(sub, false),
            }
        }
    }

    fn count(&self, frames: usize, wrote: bool) {
        let stats = &self.stats;
        stats.frames.set(stats.frames.get() + frames as u64);
        crate::metrics::hub_frames(frames);
        if wrote {
            stats.writes.set(stats.writes.get() + 1);
        }
    }

    /// A subscriber whose writer coroutine waits on its socket got more:
    /// too slow if more waits than the bounds allow and its socket has
    /// taken nothing since an earlier turn. Never judged by a burst alone:
    /// a socket that takes data is not slow however much was queued in one
    /// turn, and the flusher runs after the turn's writers have had theirs.
    fn judge(self: &Rc<Self>, sub: &Rc<Subscriber>, now: Instant) {
        let config = &self.config;
        if sub.over(config.max_queue, config.max_queue_bytes) && sub.stalled(now) {
            self.too_slow(sub, false);
        }
    }

    /// Applies the slow policy; `timed_out`: the socket took nothing for its
    /// write timeout, and is dropped whatever the policy.
    fn too_slow(self: &Rc<Self>, sub: &Rc<Subscriber>, timed_out: bool) {
        let config = &self.config;
        if config.slow == SlowPolicy::DropMessages && !timed_out {
            let n = sub.shed(config.max_queue, config.max_queue_bytes);
            let stats = &self.stats;
            stats
                .dropped_messages
                .set(stats.dropped_messages.get() + n as u64);
            crate::metrics::hub_dropped_messages(n);
            return;
        }
        self.remove(sub);
        let stats = &self.stats;
        stats.dropped_clients.set(stats.dropped_clients.get() + 1);
        crate::metrics::hub_dropped_client();
        let on_drop = self.on_drop.borrow().clone();
        if let Some(on_drop) = on_drop {
            on_drop(&sub.sock);
        }
        if timed_out {
            sub.sock.abort_for(STALLED);
        } else {
            // The close frame goes after the frame being written, when its
            // writer gives the wire back.
            let sock = sub.sock.clone();
            task::fork(move || {
                let _ = sock.close_with(code::POLICY_VIOLATION, "too slow");
            });
        }
    }

    fn spawn_writer(self: &Rc<Self>, sub: &Rc<Subscriber>, held: bool) {
        sub.writing.set(Writing::Coroutine);
        let (hub, sub) = (Rc::downgrade(self), sub.clone());
        task::fork(move || drain(hub, sub, held));
    }
}

/// Why the hub ended a subscriber's connection: its socket took nothing for
/// its write timeout.
const STALLED: &str =
    "the hub's writes took nothing for the write timeout: the connection was closed";

/// Why the hub ended a subscriber's connection: a write failed part way.
const WRITE_FAILED: &str = "a hub write failed part way: the connection was closed";

/// Why the hub ended a subscriber's connection: its writer coroutine was
/// unwound (the runtime shutting down) in the middle of its frames.
const WRITER_CUT: &str =
    "the hub's writer was interrupted in the middle of a frame: the connection was closed";

/// Gives the wire back if the writer coroutine is unwound while it holds it
/// (only the runtime's shutdown does that). Its frames may be cut anywhere,
/// and nothing could finish them (a coroutine unwound may not wait): the
/// connection is ended, so the peer sees it end, not a torn frame followed
/// by other bytes.
struct AbortIfUnwound<'a> {
    sub: &'a Subscriber,
    held: bool,
}

impl Drop for AbortIfUnwound<'_> {
    fn drop(&mut self) {
        if self.held {
            self.sub.sock.abort_for(WRITER_CUT);
            self.sub.sock.release_permit();
        }
    }
}

/// A subscriber's writer coroutine: takes the wire (or keeps it, `held`,
/// after a write cut short), writes the queue in batches, waiting for the
/// socket, until it is empty, then gives the wire back.
fn drain(hub: Weak<Shared>, sub: Rc<Subscriber>, held: bool) {
    if !held {
        sub.sock.hold_wire();
    }
    let mut guard = AbortIfUnwound {
        sub: &sub,
        held: true,
    };
    let mut batch: Vec<Rc<[u8]>> = Vec::new();
    let failed = loop {
        // A frame cut short is finished even for a subscriber gone or a
        // socket closing: its close frame waits behind it.
        if sub.is_gone() || !sub.sock.is_open() {
            if !sub.is_cut() {
                break None;
            }
            sub.clear();
        }
        let head = sub.take_batch(&mut batch);
        if batch.is_empty() {
            break None;
        }
        let mut iov = [IoSlice::new(&[]); MAX_IOV];
        for (i, frame) in batch.iter().enumerate() {
            iov[i] = IoSlice::new(if i == 0 { &frame[head..] } else { frame });
        }
        let written = sub.sock.write_held(&mut iov[..batch.len()]);
        if let Err(e) = written {
            break Some(e);
        }
        sub.progressed(time::loop_now());
        if let Some(hub) = hub.upgrade() {
            hub.count(batch.len(), true);
        }
    };
    batch.clear();
    guard.held = false;
    let Some(hub) = hub.upgrade() else {
        sub.sock.release_permit();
        return;
    };
    match failed {
        None => {
            if !sub.is_gone() {
                sub.writing.set(Writing::Flusher);
            }
            // Pongs that queued meanwhile go out; the flusher (or a writer
            // for it) takes the wire for what arrives now.
            if sub.sock.release_wire().is_err() {
                hub.remove(&sub);
            } else if !sub.is_gone() && sub.queued() > 0 {
                hub.mark_dirty(&sub);
                hub.wake_flusher();
            }
        }
        Some(e) => {
            sub.sock.release_permit();
            if e.kind() == io::ErrorKind::TimedOut && !sub.is_gone() {
                hub.too_slow(&sub, true);
            } else {
                hub.remove(&sub);
                sub.sock.abort_for(WRITE_FAILED);
            }
        }
    }
}
