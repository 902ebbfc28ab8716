//! A pool of coroutine stacks.
//!
//! A fresh stack costs an `mmap`, an `mprotect` (the guard page) and later a
//! `munmap`: about 9 us here, thirty times the cost of a whole fork+join. Finished
//! coroutines therefore hand their stack back, and the next task takes it.
//!
//! Each live stack is two memory mappings (guard page + usable part), and Linux
//! caps a process at `vm.max_map_count` mappings (65,530 by default): about 32,000
//! coroutines can hold a stack at once unless that sysctl is raised. Tasks that
//! are queued but have not started hold no stack.

use std::io;
use std::sync::OnceLock;

use corosensei::stack::DefaultStack;
use corosensei::stack::Stack;

/// Smallest usable stack we hand out: below this even the panic machinery
/// (formatting a message, printing it) can overflow.
pub(crate) const MIN_STACK_SIZE: usize = 16 * 1024;

/// Stacks of sizes other than the default are pooled too, but only a few.
const MAX_IDLE_OTHER: usize = 16;

/// Idle stacks beyond this many give their touched pages back to the kernel
/// (`madvise(MADV_DONTNEED)`) as they are pooled: after a burst of deep
/// coroutines the memory returns, while a steady small pool pays no syscall.
const RELEASE_PAGES_ABOVE: usize = 64;

/// The top of a released stack that stays resident: where the next coroutine's
/// first frames land anyway.
const KEEP_RESIDENT: usize = 16 * 1024;

pub(crate) fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    *PAGE.get_or_init(|| {
        let probe = DefaultStack::new(1).expect("cannot map a probe stack");
        // A one-byte request maps exactly one usable page plus one guard page.
        (probe.base().get() - probe.limit().get()) / 2
    })
}

/// Rounds a requested size to the usable size a stack will really have.
pub(crate) fn usable_size(requested: usize) -> usize {
    let page = page_size();
    requested.max(MIN_STACK_SIZE).div_ceil(page) * page
}

pub(crate) struct StackPool {
    default_size: usize,
    max_idle: usize,
    idle: Vec<DefaultStack>,
    idle_other: Vec<(usize, DefaultStack)>,
}

impl StackPool {
    pub(crate) fn new(default_size: usize, max_idle: usize) -> Self {
        StackPool {
            default_size: usable_size(default_size),
            max_idle,
            idle: Vec::new(),
            idle_other: Vec::new(),
        }
    }

    pub(crate) fn default_size(&self) -> usize {
        self.default_size
    }

    pub(crate) fn idle(&self) -> usize {
        self.idle.len() + self.idle_other.len()
    }

    /// A stack with `size` usable bytes (after rounding), reused when one is idle.
    pub(crate) fn get(&mut self, size: usize) -> io::Result<DefaultStack> {
        let size = usable_size(size);
        if size == self.default_size {
            if let Some(stack) = self.idle.pop() {
                return Ok(stack);
            }
        } else if let Some(i) = self.idle_other.iter().position(|(s, _)| *s == size) {
            return Ok(self.idle_other.swap_remove(i).1);
        }
        DefaultStack::new(size)
    }

    pub(crate) fn put(&mut self, stack: DefaultStack) {
        let size = stack.base().get() - stack.limit().get() - page_size();
        if size == self.default_size {
            if self.idle.len() < self.max_idle {
                if self.idle.len() >= RELEASE_PAGES_ABOVE {
                    release_pages(&stack);
                }
                self.idle.push(stack);
            }
        } else if self.idle_other.len() < MAX_IDLE_OTHER.min(self.max_idle) {
            self.idle_other.push((size, stack));
        }
    }
}

/// Drops the resident pages of an idle stack's usable part, except its top
/// `KEEP_RESIDENT` bytes. The mapping stays; touched again, pages come back zeroed.
fn release_pages(stack: &DefaultStack) {
    let start = stack.limit().get() + page_size(); // above the guard page
    let end = stack.base().get().saturating_sub(KEEP_RESIDENT);
    if end <= start {
        return;
    }
    // SAFETY: [start, end) lies inside the stack's read-write mapping (between its
    // guard page and its top), page-aligned since both the limit and KEEP_RESIDENT
    // are multiples of the page size. The stack is idle: no coroutine runs on it,
    // so no live data is discarded. MADV_DONTNEED on private anonymous memory
    // only makes the pages read back as zeros.
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
    }
}

/// How far below the marker in `trim_below_here`'s frame pages are kept: the
/// rest of that frame, the libc `madvise` wrapper's (a return address and a few
/// saved registers) and the x86-64 red zone (128 bytes) live there. A larger
/// margin keeps a page the caller will not touch again: a parked WebSocket
/// connection fits in one 4 KiB page only if the trim gives back the second.
const TRIM_MARGIN: usize = 1024;

/// Gives back the resident pages of the running coroutine's stack that lie
/// below the current frame; see [`crate::task::trim_stack`].
#[inline(never)]
pub(crate) fn trim_below_here() {
    let Some(bottom) = crate::overflow::running_stack_bottom() else {
        return;
    };
    let marker = 0u8;
    let here = std::hint::black_box(&marker) as *const u8 as usize;
    let page = page_size();
    let end = here.saturating_sub(TRIM_MARGIN) & !(page - 1);
    if end <= bottom {
        return;
    }
    // SAFETY: [bottom, end) is inside the running coroutine's stack mapping (bottom
    // is the first byte above its guard page, `end` is below this frame), and the
    // stack grows down: every live frame of this coroutine is above `here`, and the
    // frames this call still creates (madvise's) fit in TRIM_MARGIN. Signal handlers
    // run on the alternate stack. MADV_DONTNEED on private anonymous memory only
    // makes untouched-again pages read back as zeros.
    unsafe {
        libc::madvise(
            bottom as *mut libc::c_void,
            end - bottom,
            libc::MADV_DONTNEED,
        );
    }
}
