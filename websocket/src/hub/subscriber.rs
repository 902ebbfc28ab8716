//! One subscribed socket as the hub sees it: the frames waiting for it,
//! how far the first of them has gone out, and whether its socket is
//! keeping up. Plain data: the flusher decides what to do with it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::IoSlice;
use std::rc::Rc;
use std::time::Instant;

use crate::socket::Socket;

/// Most frames in one `writev` (Linux's `IOV_MAX` is 1,024; a turn's queue
/// rarely holds more than this, and the slices live on the stack).
pub(super) const MAX_IOV: usize = 256;

/// Where a subscriber's frames are being written from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writing {
    /// Nothing waits on the socket: the flusher writes, without blocking.
    Flusher,
    /// The socket's buffer was full (or another writer held it): a writer
    /// coroutine of its own drains the queue, waiting for the socket.
    Coroutine,
    /// Unsubscribed from everything, dropped, or its socket ended.
    Gone,
}

/// A subscribed socket and what waits for it.
pub(super) struct Subscriber {
    /// Unique on this thread: names the socket's end-of-connection hook.
    pub(super) id: u64,
    pub(super) sock: Socket,
    /// The topics it is subscribed to.
    pub(super) topics: RefCell<Vec<Rc<str>>>,
    /// Frames not yet (wholly) written, oldest first. Shared with every
    /// other subscriber of the same message; the deque keeps its capacity.
    queue: RefCell<VecDeque<Rc<[u8]>>>,
    /// Bytes of the first frame already written.
    head: Cell<usize>,
    /// Bytes in `queue`, less `head`.
    bytes: Cell<usize>,
    pub(super) writing: Cell<Writing>,
    /// In the hub's dirty list.
    pub(super) dirty: Cell<bool>,
    /// The loop turn of the socket's last progress (some bytes taken), or
    /// of its subscription.
    progress: Cell<Instant>,
}

impl Subscriber {
    pub(super) fn new(id: u64, sock: Socket, now: Instant) -> Subscriber {
        Subscriber {
            id,
            sock,
            topics: RefCell::new(Vec::new()),
            queue: RefCell::new(VecDeque::new()),
            head: Cell::new(0),
            bytes: Cell::new(0),
            writing: Cell::new(Writing::Flusher),
            dirty: Cell::new(false),
            progress: Cell::new(now),
        }
    }

    pub(super) fn is_gone(&self) -> bool {
        self.writing.get() == Writing::Gone
    }

    pub(super) fn push(&self, frame: Rc<[u8]>) {
        self.bytes.set(self.bytes.get() + frame.len());
        self.queue.borrow_mut().push_back(frame);
    }

    pub(super) fn queued(&self) -> usize {
        self.queue.borrow().len()
    }

    /// Whether more waits than the bounds allow.
    pub(super) fn over(&self, max_queue: usize, max_bytes: usize) -> bool {
        self.queued() > max_queue || self.bytes.get() > max_bytes
    }

    /// The socket took bytes in the loop turn `now`.
    pub(super) fn progressed(&self, now: Instant) {
        self.progress.set(now);
    }

    /// Whether the socket has taken nothing since a turn before `now`.
    pub(super) fn stalled(&self, now: Instant) -> bool {
        self.progress.get() < now
    }

    /// Points `iov` at the waiting frames (the first from where it was cut
    /// short), as many as fit; returns how many slices and bytes.
    pub(super) fn fill<'q>(
        queue: &'q VecDeque<Rc<[u8]>>,
        head: usize,
        iov: &mut [IoSlice<'q>; MAX_IOV],
    ) -> (usize, usize) {
        let mut bytes = 0;
        let mut n = 0;
        for (i, frame) in queue.iter().take(MAX_IOV).enumerate() {
            let part = if i == 0 { &frame[head..] } else { &frame[..] };
            iov[i] = IoSlice::new(part);
            bytes += part.len();
            n = i + 1;
        }
        (n, bytes)
    }

    /// Runs `write` over the waiting frames (see [`fill`](Self::fill)) and
    /// takes off the queue what it reports written; returns its result, and
    /// how many whole frames went.
    pub(super) fn write_some<E>(
        &self,
        write: impl FnOnce(&[IoSlice<'_>], usize) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let queue = self.queue.borrow();
        let mut iov = [IoSlice::new(&[]); MAX_IOV];
        let (n, bytes) = Self::fill(&queue, self.head.get(), &mut iov);
        let written = write(&iov[..n], bytes)?;
        drop(queue);
        Ok(self.consume(written))
    }

    /// Takes `written` bytes off the front of the queue; returns how many
    /// whole frames that finished.
    fn consume(&self, mut written: usize) -> usize {
        self.bytes.set(self.bytes.get() - written);
        let mut queue = self.queue.borrow_mut();
        let mut frames = 0;
        while let Some(front) = queue.front() {
            let left = front.len() - self.head.get();
            if written < left {
                self.head.set(self.head.get() + written);
                break;
            }
            written -= left;
            self.head.set(0);
            queue.pop_front();
            frames += 1;
        }
        frames
    }

    /// Moves up to [`MAX_IOV`] waiting frames into `batch` (emptied first),
    /// for a writer that may suspend while it writes them; returns how much
    /// of the first was written already.
    pub(super) fn take_batch(&self, batch: &mut Vec<Rc<[u8]>>) -> usize {
        batch.clear();
        let mut queue = self.queue.borrow_mut();
        let n = queue.len().min(MAX_IOV);
        batch.extend(queue.drain(..n));
        let head = self.head.replace(0);
        let taken: usize = batch.iter().map(|f| f.len()).sum();
        self.bytes.set(self.bytes.get() + head - taken);
        head
    }

    /// Drops waiting frames, oldest first, until the bounds hold; a frame
    /// cut short stays (its rest must go out). Returns how many went.
    pub(super) fn shed(&self, max_queue: usize, max_bytes: usize) -> usize {
        let mut queue = self.queue.borrow_mut();
        let keep_first = usize::from(self.head.get() > 0);
        let mut dropped = 0;
        while (queue.len() > max_queue || self.bytes.get() > max_bytes) && queue.len() > keep_first
        {
            let frame = queue.remove(keep_first).expect("within length");
            self.bytes.set(self.bytes.get() - frame.len());
            dropped += 1;
        }
        dropped
    }

    /// Whether the first waiting frame went out in part: its rest must go
    /// before anything else is written to the socket.
    pub(super) fn is_cut(&self) -> bool {
        self.head.get() > 0
    }

    /// Forgets what waits (the subscriber is gone, or its socket closing),
    /// but for the rest of a frame cut short.
    pub(super) fn clear(&self) {
        let mut queue = self.queue.borrow_mut();
        let keep = usize::from(self.is_cut());
        queue.truncate(keep);
        if keep == 0 {
            queue.shrink_to_fit();
        }
        let rest = queue.front().map_or(0, |f| f.len() - self.head.get());
        self.bytes.set(rest);
    }
}
