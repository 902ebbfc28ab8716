//! Stack switching: a coroutine runs a closure on a stack of its own and can be
//! suspended from any depth of that closure's calls. corosensei does the
//! switching; this file adds the one raw pointer that lets deep code reach the
//! running coroutine's `Yielder`, and the checks that keep its use sound.
//!
//! A coroutine knows nothing of tasks or runtimes: whoever owns it (a task)
//! owns a [`YielderSlot`], passes it to every [`Coroutine::resume`], and calls
//! [`YielderSlot::suspend`] from inside to give the CPU back.

use std::cell::Cell;

use corosensei::stack::Stack as _;
use corosensei::{CoroutineResult, Yielder};

use crate::leaves::stack::{page_size, Stack, CANARY_OFFSETS};

/// What a resume passes in: the slot where the coroutine publishes its `Yielder`.
type ResumeInput = *const YielderSlot;

/// Where a coroutine publishes its `Yielder` on its first resume, and whether it
/// is executing now. Owned next to the coroutine by whoever resumes it.
#[derive(Debug)]
pub(crate) struct YielderSlot {
    yielder: Cell<*const Yielder<ResumeInput, ()>>,
    /// True exactly while a [`Coroutine::resume`] with this slot is switched in.
    running: Cell<bool>,
}

impl Default for YielderSlot {
    fn default() -> Self {
        YielderSlot {
            yielder: Cell::new(std::ptr::null()),
            running: Cell::new(false),
        }
    }
}

impl YielderSlot {
    /// Suspends the coroutine this slot belongs to; its `resume` returns `false`.
    /// Returns when the owner resumes it again.
    ///
    /// # Panics
    ///
    /// Panics unless called from inside that coroutine while it runs (not from
    /// another coroutine, not from the scheduler, not while it is being unwound
    /// by its drop).
    #[inline]
    pub(crate) fn suspend(&self) {
        let yielder = self.yielder.get();
        assert!(
            self.running.get() && !yielder.is_null(),
            "silly: suspend outside the running coroutine"
        );
        // SAFETY: `yielder` was stored by this coroutine's body (see
        // `Coroutine::new`) and points into that body's frame on the coroutine
        // stack. `running` is set only while `Coroutine::resume` has switched into
        // that coroutine and only one coroutine runs on a thread at a time (they
        // are resumed from the owner's stack, never from each other), so the code
        // calling this runs on that coroutine's stack, inside the body: the frame
        // and the Yielder in it are alive. The slot is `!Send` (a raw pointer in
        // a Cell), so this is the thread that resumed it.
        unsafe {
            (*yielder).suspend(());
        }
    }
}

/// A closure on its own stack, with the guard page below it.
pub(crate) struct Coroutine {
    raw: corosensei::Coroutine<ResumeInput, (), (), Stack>,
    /// The guard page below the stack, as `[start, end)`, for the overflow reporter.
    guard: (usize, usize),
    stack_size: usize,
    /// The top of an unguarded stack's padding page, below which its canary
    /// lies (see `stack::CANARY_OFFSETS`).
    canary: Option<usize>,
}

impl Coroutine {
    /// A coroutine that will run `body` on `stack` when first resumed.
    pub(crate) fn new(stack: Stack, body: impl FnOnce() + 'static) -> Self {
        let canary = stack.canary();
        let limit = stack.limit().get();
        let guard = (limit, limit + page_size());
        let stack_size = stack.base().get() - guard.1;
        let start = move |yielder: &Yielder<ResumeInput, ()>, slot: ResumeInput| {
            // SAFETY: `resume` made `slot` from a `&YielderSlot` that outlives
            // the call, and this body runs inside that first call.
            let slot = unsafe { &*slot };
            slot.yielder.set(yielder as *const _);
            body();
        };
        Coroutine {
            raw: corosensei::Coroutine::with_stack(stack, start),
            guard,
            stack_size,
            canary,
        }
    }

    /// `false` if the coroutine has run past the end of an unguarded stack
    /// (its canary was overwritten). Checked by the owner after each resume.
    #[inline]
    pub(crate) fn canary_intact(&self) -> bool {
        let Some(top) = self.canary else {
            return true;
        };
        CANARY_OFFSETS.iter().all(|offset| {
            // SAFETY: an aligned word in the top 256 bytes of the stack's
            // padding page, inside the read-write mapping this coroutine's
            // stack owns; the coroutine is switched out, so nothing writes it
            // concurrently (volatile: the compiler cannot know the
            // coroutine's frames may have written it).
            unsafe { ((top - offset) as *const u64).read_volatile() == 0 }
        })
    }

    /// Switches into the coroutine until it suspends (`false`) or returns
    /// (`true`). `slot` must be the same on every resume of one coroutine.
    pub(crate) fn resume(&mut self, slot: &YielderSlot) -> bool {
        slot.running.set(true);
        let result = self.raw.resume(slot as *const YielderSlot);
        slot.running.set(false);
        matches!(result, CoroutineResult::Return(()))
    }

    pub(crate) fn guard_range(&self) -> (usize, usize) {
        self.guard
    }

    /// Usable bytes of the stack, without the guard page.
    pub(crate) fn stack_size(&self) -> usize {
        self.stack_size
    }

    /// Gives back the stack of a coroutine that has returned.
    pub(crate) fn into_stack(self) -> Stack {
        self.raw.into_stack()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn stack() -> Stack {
        Stack::Mapped(corosensei::stack::DefaultStack::new(64 * 1024).unwrap())
    }

    #[test]
    fn suspends_from_deep_calls_and_resumes() {
        let slot = Rc::new(YielderSlot::default());
        let log = Rc::new(Cell::new(0));
        let (s, l) = (slot.clone(), log.clone());
        fn deep(slot: &YielderSlot, log: &Cell<u32>, depth: u32) {
            if depth == 0 {
                log.set(log.get() + 1);
                slot.suspend();
                log.set(log.get() + 1);
            } else {
                deep(slot, log, depth - 1);
            }
        }
        let mut co = Coroutine::new(stack(), move || deep(&s, &l, 20));
        assert!(!co.resume(&slot), "suspended");
        assert_eq!(log.get(), 1);
        assert!(co.resume(&slot), "returned");
        assert_eq!(log.get(), 2);
        co.into_stack();
    }

    #[test]
    #[should_panic(expected = "suspend outside the running coroutine")]
    fn suspend_from_outside_panics() {
        let slot = YielderSlot::default();
        slot.suspend();
    }

    #[test]
    fn suspend_of_a_suspended_coroutine_from_outside_panics() {
        let slot = Rc::new(YielderSlot::default());
        let s = slot.clone();
        let mut co = Coroutine::new(stack(), move || s.suspend());
        assert!(!co.resume(&slot));
        let outside = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| slot.suspend()));
        assert!(
            outside.is_err(),
            "the slot is filled but its coroutine is not running"
        );
        assert!(co.resume(&slot));
    }

    #[test]
    fn guard_page_sits_below_the_usable_stack() {
        let co = Coroutine::new(stack(), || {});
        let (start, end) = co.guard_range();
        assert_eq!(end - start, page_size());
        assert!(co.stack_size() >= 64 * 1024);
    }
}
