//! Timers as plain data: a binary min-heap of deadlines with an index per timer,
//! so insert and cancel are both O(log n) and a cancelled timer leaves nothing
//! behind. Each entry carries a value of the owner's choosing (`A`); the heap
//! only orders them. The runtime's owner of sleeps and callbacks is the driver,
//! which fires what expires; the reactor keeps a heap of its own for I/O
//! deadlines (see `reactor`).

use std::time::Instant;

use slab::Slab;

/// Names one armed timer; stays valid (and harmless) after the timer fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    slot: usize,
    id: u64,
}

struct HeapEntry {
    deadline: Instant,
    /// Insertion order breaks ties, so equal deadlines fire first-armed first.
    id: u64,
    slot: usize,
}

impl HeapEntry {
    fn before(&self, other: &HeapEntry) -> bool {
        (self.deadline, self.id) < (other.deadline, other.id)
    }
}

struct Slot<A> {
    id: u64,
    /// Index of this timer's entry in `heap`.
    pos: usize,
    action: A,
}

pub(crate) struct Timers<A> {
    heap: Vec<HeapEntry>,
    slots: Slab<Slot<A>>,
    next_id: u64,
}

impl<A> Default for Timers<A> {
    fn default() -> Self {
        Timers {
            heap: Vec::new(),
            slots: Slab::new(),
            next_id: 0,
        }
    }
}

impl<A> Timers<A> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    pub(crate) fn insert(&mut self, deadline: Instant, action: A) -> TimerKey {
        let id = self.next_id;
        self.next_id += 1;
        let pos = self.heap.len();
        let slot = self.slots.insert(Slot { id, pos, action });
        self.heap.push(HeapEntry { deadline, id, slot });
        self.sift_up(pos);
        TimerKey { slot, id }
    }

    /// Removes the timer if it has not fired yet and returns its action, which
    /// the caller drops after releasing its borrow of the timers (dropping a
    /// callback runs user destructors, which may use timers).
    #[must_use]
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<A> {
        match self.slots.get(key.slot) {
            Some(slot) if slot.id == key.id => {
                let pos = slot.pos;
                Some(self.remove_at(pos))
            }
            _ => None,
        }
    }

    /// Takes every armed timer out, leaving none. Ids keep counting up, so a key
    /// of a timer taken here can never cancel one armed later.
    pub(crate) fn take_all(&mut self) -> Timers<A> {
        let next_id = self.next_id;
        let taken = std::mem::take(self);
        self.next_id = next_id;
        taken
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.first().map(|e| e.deadline)
    }

    /// Takes the earliest timer whose deadline is not after `now`.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<A> {
        match self.heap.first() {
            Some(e) if e.deadline <= now => Some(self.remove_at(0)),
            _ => None,
        }
    }

    fn remove_at(&mut self, pos: usize) -> A {
        let last = self.heap.len() - 1;
        self.swap(pos, last);
        let entry = self.heap.pop().expect("remove_at on an empty heap");
        if pos < self.heap.len() {
            self.sift_down(pos);
            self.sift_up(pos);
        }
        self.slots.remove(entry.slot).action
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.slots[self.heap[a].slot].pos = a;
        self.slots[self.heap[b].slot].pos = b;
    }

    fn sift_up(&mut self, mut pos: usize) {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !self.heap[pos].before(&self.heap[parent]) {
                break;
            }
            self.swap(pos, parent);
            pos = parent;
        }
    }

    fn sift_down(&mut self, mut pos: usize) {
        loop {
            let left = 2 * pos + 1;
            if left >= self.heap.len() {
                break;
            }
            let right = left + 1;
            let child = if right < self.heap.len() && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&self.heap[pos]) {
                break;
            }
            self.swap(pos, child);
            pos = child;
        }
    }
}

#[cfg(test)]
mod tests;
