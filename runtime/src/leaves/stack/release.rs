//! Giving a stack's touched pages back to the kernel: an idle stack's, and
//! those below the running coroutine's current frame.

use super::coroutine_stack::Stack;
use super::size::page_size;

/// The top of a released stack that stays resident: where the next coroutine's
/// first frames land anyway.
const KEEP_RESIDENT: usize = 16 * 1024;

/// Drops the resident pages of an idle stack's usable part, except its top
/// `KEEP_RESIDENT` bytes. The mapping stays; touched again, pages come back zeroed.
pub(super) fn release_pages(stack: &Stack) {
    let start = stack.limit() + page_size(); // above the guard page
    let end = stack.base().saturating_sub(KEEP_RESIDENT);
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
    let Some(bottom) = crate::leaves::overflow::running_stack_bottom() else {
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
