//! One coroutine stack: a slot of an arena or a mapping of its own, as
//! corosensei runs on it.

use std::rc::Rc;

use corosensei::stack::{DefaultStack, StackPointer};

use super::arena::Arena;
use super::policy::Budgeted;
use super::size::page_size;

/// The canary of an unguarded stack: words at these distances below the top
/// of its padding page, the first bytes an overflow writes to. The page is
/// never written otherwise, so they read as zero (the kernel's shared zero
/// page: the canary costs no memory, where a written one would cost a page a
/// stack); anything else when the coroutine switches out means it ran past
/// its stack. An overflow that writes only zeros there goes unseen.
pub(crate) const CANARY_OFFSETS: [usize; 4] = [8, 72, 136, 200];

/// A coroutine stack: a slot of an arena, or a mapping of its own.
pub(crate) enum Stack {
    /// A slot of an arena: its lowest page is a guard region installed by
    /// `MADV_GUARD_INSTALL`, or, in an unguarded arena, padding with a canary.
    Arena { arena: Rc<Arena>, slot: usize },
    /// Its own mapping with an `mprotect`ed guard page (corosensei's).
    Mapped(DefaultStack),
    /// A mapped stack counted against [`StackGuards::Within`](super::StackGuards::Within)'s budget.
    Budgeted(Budgeted),
}

impl Stack {
    pub(super) fn base(&self) -> usize {
        match self {
            Stack::Arena { arena, slot } => arena.start + (slot + 1) * arena.slot_size,
            Stack::Mapped(stack) | Stack::Budgeted(Budgeted(stack)) => {
                corosensei::stack::Stack::base(stack).get()
            }
        }
    }

    /// The lowest address: the start of the guard (or padding) page.
    pub(super) fn limit(&self) -> usize {
        match self {
            Stack::Arena { arena, slot } => arena.start + slot * arena.slot_size,
            Stack::Mapped(stack) | Stack::Budgeted(Budgeted(stack)) => {
                corosensei::stack::Stack::limit(stack).get()
            }
        }
    }

    /// The top of an unguarded stack's padding page, below which its canary
    /// lies ([`CANARY_OFFSETS`]). `None` for a guarded stack.
    pub(crate) fn canary(&self) -> Option<usize> {
        match self {
            Stack::Arena { arena, .. } if !arena.guarded => Some(self.limit() + page_size()),
            _ => None,
        }
    }

    /// Usable bytes, without the guard page.
    pub(crate) fn usable(&self) -> usize {
        self.base() - self.limit() - page_size()
    }
}

// SAFETY: `base` and `limit` are page-aligned (so aligned to STACK_ALIGNMENT),
// `limit < base`, and the range between them is read-write memory owned by
// this value alone (an arena slot is handed to one `Stack` at a time; a mapped
// stack owns its mapping), with a guard page at the bottom: an arena slot's
// first page carries a guard region installed when the slot was carved (a
// guarded arena whose guard fails is not used), a mapped stack's is
// `PROT_NONE`. The exception is an unguarded arena's slot, whose first page is
// padding: that mode exists only after the caller of the `unsafe`
// `Builder::stack_guards` promised its tasks stay within their stacks. The
// usable part is far above MIN_STACK_SIZE (at least 16 KiB).
unsafe impl corosensei::stack::Stack for Stack {
    fn base(&self) -> StackPointer {
        StackPointer::new(Stack::base(self)).expect("stacks are never at address 0")
    }

    fn limit(&self) -> StackPointer {
        StackPointer::new(Stack::limit(self)).expect("stacks are never at address 0")
    }
}
