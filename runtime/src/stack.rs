//! Coroutine stacks: carved from large arenas, pooled for reuse.
//!
//! A fresh stack costs an `mmap`, an `mprotect` (the guard page) and later a
//! `munmap`: about 9 us here, thirty times the cost of a whole fork+join. Finished
//! coroutines therefore hand their stack back, and the next task takes it.
//!
//! Linux caps a process at `vm.max_map_count` mappings (65,530 by default), and
//! a stack mapped on its own with an `mprotect`ed guard page costs two: about
//! 32,700 suspended coroutines at most, whatever the memory. So stacks of the
//! default size are carved from arenas, one mapping of [`ARENA_SLOTS`] stacks
//! each, and each stack's guard page is put in place with
//! `madvise(MADV_GUARD_INSTALL)` (Linux 6.13 and later), which marks the page
//! in the page tables without splitting the mapping: a million coroutines take
//! about a thousand mappings. Address space is reserved with `MAP_NORESERVE`;
//! only the pages a coroutine touches cost memory.
//!
//! Where the kernel refuses guard regions (older kernels), under valgrind
//! (which needs each stack registered), or when
//! [`Builder::stack_arenas`](crate::Builder::stack_arenas) turns arenas off,
//! stacks are mapped one by one as before, each with its own guard page: the
//! ~32,700 limit then holds (raise `vm.max_map_count` to go past it). Stacks
//! of other sizes (`task::Builder::stack_size`) are always mapped one by one.
//!
//! Stacks without a guard page (folly's fallback: arena stacks with a canary
//! word checked at each switch) are deliberately not offered: an overflow
//! there writes over the stack below before any check can see it, which safe
//! code must never be able to cause; that mode would need an `unsafe`
//! opt-in.
//! Tasks that are queued but have not started hold no stack.

use std::io;
use std::ptr;
use std::rc::Rc;
use std::sync::OnceLock;

use corosensei::stack::{DefaultStack, StackPointer};

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

/// Stacks per arena: at the default 512 KiB a mapping of about 516 MiB of
/// address space (reserved, not committed).
pub(crate) const ARENA_SLOTS: usize = 1024;

/// `madvise` advice that installs guard regions (Linux 6.13 uapi; the `libc`
/// crate does not name it yet).
const MADV_GUARD_INSTALL: libc::c_int = 102;

pub(crate) fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    *PAGE.get_or_init(|| {
        let probe = DefaultStack::new(1).expect("cannot map a probe stack");
        // A one-byte request maps exactly one usable page plus one guard page.
        use corosensei::stack::Stack as _;
        (probe.base().get() - probe.limit().get()) / 2
    })
}

/// Rounds a requested size to the usable size a stack will really have.
pub(crate) fn usable_size(requested: usize) -> usize {
    let page = page_size();
    requested.max(MIN_STACK_SIZE).div_ceil(page) * page
}

/// Whether the process runs under valgrind (it preloads its `vgpreload_*`
/// libraries). Valgrind must be told where each coroutine stack lies, or it
/// takes a switch between two nearby arena stacks for a huge stack frame and
/// callgrind's profile is lost; corosensei's own stacks register themselves,
/// so under valgrind every stack is mapped on its own.
fn under_valgrind() -> bool {
    static UNDER: OnceLock<bool> = OnceLock::new();
    *UNDER.get_or_init(|| {
        std::env::var_os("LD_PRELOAD")
            .is_some_and(|preload| preload.to_string_lossy().contains("vgpreload"))
    })
}

/// A coroutine stack: a slot of an arena, or a mapping of its own.
pub(crate) enum Stack {
    /// A slot of an arena (guard installed by `MADV_GUARD_INSTALL`).
    Arena { arena: Rc<Arena>, slot: usize },
    /// Its own mapping with an `mprotect`ed guard page (corosensei's).
    Mapped(DefaultStack),
}

impl Stack {
    fn base(&self) -> usize {
        match self {
            Stack::Arena { arena, slot } => arena.start + (slot + 1) * arena.slot_size,
            Stack::Mapped(stack) => corosensei::stack::Stack::base(stack).get(),
        }
    }

    /// The lowest address: the start of the guard page.
    fn limit(&self) -> usize {
        match self {
            Stack::Arena { arena, slot } => arena.start + slot * arena.slot_size,
            Stack::Mapped(stack) => corosensei::stack::Stack::limit(stack).get(),
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
// first page carries a guard region installed when the slot was carved (an
// arena whose guard fails is not used), a mapped stack's is `PROT_NONE`. The
// usable part is far above MIN_STACK_SIZE (at least 16 KiB).
unsafe impl corosensei::stack::Stack for Stack {
    fn base(&self) -> StackPointer {
        StackPointer::new(Stack::base(self)).expect("stacks are never at address 0")
    }

    fn limit(&self) -> StackPointer {
        StackPointer::new(Stack::limit(self)).expect("stacks are never at address 0")
    }
}

/// One mapping carved into `ARENA_SLOTS` stacks of the default size.
pub(crate) struct Arena {
    start: usize,
    len: usize,
    /// A stack's bytes, its guard page included.
    slot_size: usize,
}

impl Arena {
    /// Maps an arena for stacks of `usable` bytes. `None` if the kernel cannot
    /// install guard regions (checked on the first slot, which every new arena
    /// carves at once).
    fn new(usable: usize) -> io::Result<Option<Rc<Arena>>> {
        let slot_size = usable + page_size();
        let len = slot_size * ARENA_SLOTS;
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing; nothing else is touched. The result is checked below.
        let start = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let arena = Arena {
            start: start as usize,
            len,
            slot_size,
        };
        if !arena.guard(0) {
            return Ok(None); // dropped: unmapped
        }
        Ok(Some(Rc::new(arena)))
    }

    /// Installs the guard page of slot `slot`; `false` if the kernel refuses.
    fn guard(&self, slot: usize) -> bool {
        let page = self.start + slot * self.slot_size;
        // SAFETY: `page` is the first page of a slot inside this arena's
        // mapping, owned by the arena and not yet handed out as a stack, so no
        // live data is there. MADV_GUARD_INSTALL only makes the page fault on
        // access; it does not change the mapping.
        unsafe { libc::madvise(page as *mut libc::c_void, page_size(), MADV_GUARD_INSTALL) == 0 }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: the whole mapping made in `new`; every stack carved from it
        // holds an `Rc` to the arena, so none is alive when this runs.
        unsafe {
            libc::munmap(self.start as *mut libc::c_void, self.len);
        }
    }
}

pub(crate) struct StackPool {
    default_size: usize,
    max_idle: usize,
    /// Whether default-size stacks come from arenas (true until the kernel
    /// refuses guard regions, or when turned off).
    arenas: bool,
    /// The arena new slots are carved from, and how many it has given.
    current: Option<(Rc<Arena>, usize)>,
    idle: Vec<Stack>,
    idle_other: Vec<(usize, Stack)>,
}

impl StackPool {
    pub(crate) fn new(default_size: usize, max_idle: usize, arenas: bool) -> Self {
        StackPool {
            default_size: usable_size(default_size),
            max_idle,
            arenas: arenas && !under_valgrind(),
            current: None,
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
    pub(crate) fn get(&mut self, size: usize) -> io::Result<Stack> {
        let size = usable_size(size);
        if size == self.default_size {
            if let Some(stack) = self.idle.pop() {
                return Ok(stack);
            }
            if self.arenas {
                if let Some(stack) = self.carve()? {
                    return Ok(stack);
                }
                self.arenas = false; // the kernel refuses guard regions
            }
        } else if let Some(i) = self.idle_other.iter().position(|(s, _)| *s == size) {
            return Ok(self.idle_other.swap_remove(i).1);
        }
        DefaultStack::new(size).map(Stack::Mapped)
    }

    /// The next unused slot of the current arena, or of a new one; `None`
    /// when guard regions are not available.
    fn carve(&mut self) -> io::Result<Option<Stack>> {
        if let Some((arena, used)) = &mut self.current {
            if *used < ARENA_SLOTS {
                let slot = *used;
                if !arena.guard(slot) {
                    return Ok(None);
                }
                *used += 1;
                return Ok(Some(Stack::Arena {
                    arena: arena.clone(),
                    slot,
                }));
            }
        }
        let Some(arena) = Arena::new(self.default_size)? else {
            return Ok(None);
        };
        self.current = Some((arena.clone(), 1)); // slot 0's guard is in place
        Ok(Some(Stack::Arena { arena, slot: 0 }))
    }

    pub(crate) fn put(&mut self, stack: Stack) {
        let size = stack.usable();
        if size == self.default_size {
            match stack {
                // Arena slots are not unmapped one by one: beyond the idle
                // limit they stay in the pool with their memory given back.
                Stack::Arena { .. } => {
                    if self.idle.len() >= RELEASE_PAGES_ABOVE.min(self.max_idle) {
                        release_pages(&stack);
                    }
                    self.idle.push(stack);
                }
                Stack::Mapped(_) if self.idle.len() < self.max_idle => {
                    if self.idle.len() >= RELEASE_PAGES_ABOVE {
                        release_pages(&stack);
                    }
                    self.idle.push(stack);
                }
                Stack::Mapped(_) => {}
            }
        } else if self.idle_other.len() < MAX_IDLE_OTHER.min(self.max_idle) {
            self.idle_other.push((size, stack));
        }
    }
}

/// Drops the resident pages of an idle stack's usable part, except its top
/// `KEEP_RESIDENT` bytes. The mapping stays; touched again, pages come back zeroed.
fn release_pages(stack: &Stack) {
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
