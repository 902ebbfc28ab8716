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
//! [`Builder::guard_regions`](crate::Builder::guard_regions) turns them off,
//! what happens is the [`StackGuards`] policy's choice:
//!
//! - [`StackGuards::Always`] (the default): every stack is mapped on its own
//!   with an `mprotect`ed guard page, two mappings each, so the ~32,700 limit
//!   holds (raise `vm.max_map_count` to go past it).
//! - [`StackGuards::Within`]: that many stacks (process-wide) get their own
//!   guarded mapping; beyond, stacks are carved from arenas without a guard
//!   page, with a page of padding below each and a canary word at its top,
//!   checked each time the coroutine switches out (folly's fibers fall back
//!   the same way). One `log` warning says when that starts.
//! - [`StackGuards::Never`]: every default-size stack is an unguarded arena
//!   stack.
//!
//! The canary costs no memory: it is words near the top of the padding page
//! that must still read as zero (the page is never written). Measured with a
//! million parked coroutines (`MICRO_GUARDS` in `bench/src/bin/micro.rs`), an
//! unguarded stack costs what an arena stack with a guard region costs.
//!
//! An unguarded stack turns an overflow of more than the padding into memory
//! corruption that the canary may only see afterwards (or not at all, if a
//! frame jumps the padding), which safe code must not be able to cause: the
//! two unguarded policies are chosen through an `unsafe` builder method.
//! Stacks of other sizes (`task::Builder::stack_size`) are always mapped one
//! by one with a guard page.
//!
//! Tasks that are queued but have not started hold no stack.

use std::io;
use std::ptr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// The canary of an unguarded stack: words at these distances below the top
/// of its padding page, the first bytes an overflow writes to. The page is
/// never written otherwise, so they read as zero (the kernel's shared zero
/// page: the canary costs no memory, where a written one would cost a page a
/// stack); anything else when the coroutine switches out means it ran past
/// its stack. An overflow that writes only zeros there goes unseen.
pub(crate) const CANARY_OFFSETS: [usize; 4] = [8, 72, 136, 200];

/// Default-size stacks with a guarded mapping of their own under
/// [`StackGuards::Within`], in the whole process (the mapping limit is per
/// process, and every runtime's stacks count against it).
static BUDGETED_LIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether the warning that unguarded stacks are in use has been logged.
static UNGUARDED_WARNED: AtomicBool = AtomicBool::new(false);

/// How coroutine stacks are protected where the kernel cannot install guard
/// regions (before Linux 6.13), or when
/// [`Builder::guard_regions`](crate::Builder::guard_regions) is off. With guard
/// regions every stack is guarded whatever the policy, at no mapping cost.
///
/// Chosen with the `unsafe` [`Builder::stack_guards`](crate::Builder::stack_guards);
/// see the [module docs](crate::Builder::stack_guards) for what each costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StackGuards {
    /// Every stack has a guard page; past `vm.max_map_count / 2` coroutines
    /// holding a stack, starting another fails with "no stack" (the default).
    #[default]
    Always,
    /// At most this many default-size stacks in the process have a guard
    /// page (each costs two mappings); the rest are unguarded arena stacks.
    Within(usize),
    /// Default-size stacks are unguarded arena stacks.
    Never,
}

impl StackGuards {
    /// [`StackGuards::Within`] a quarter of `vm.max_map_count`: at two
    /// mappings a stack, an eighth of it in stacks, leaving the application
    /// three quarters of its mappings.
    pub fn within_map_budget() -> StackGuards {
        let max_map_count = std::fs::read_to_string("/proc/sys/vm/max_map_count")
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(65_530);
        StackGuards::Within(max_map_count / 8)
    }
}

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
    /// A slot of an arena: its lowest page is a guard region installed by
    /// `MADV_GUARD_INSTALL`, or, in an unguarded arena, padding with a canary.
    Arena { arena: Rc<Arena>, slot: usize },
    /// Its own mapping with an `mprotect`ed guard page (corosensei's).
    Mapped(DefaultStack),
    /// A mapped stack counted against [`StackGuards::Within`]'s budget.
    Budgeted(Budgeted),
}

/// A guarded mapping that holds one unit of [`BUDGETED_LIVE`] while it lives.
pub(crate) struct Budgeted(DefaultStack);

impl Drop for Budgeted {
    fn drop(&mut self) {
        BUDGETED_LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Stack {
    fn base(&self) -> usize {
        match self {
            Stack::Arena { arena, slot } => arena.start + (slot + 1) * arena.slot_size,
            Stack::Mapped(stack) | Stack::Budgeted(Budgeted(stack)) => {
                corosensei::stack::Stack::base(stack).get()
            }
        }
    }

    /// The lowest address: the start of the guard (or padding) page.
    fn limit(&self) -> usize {
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

/// One mapping carved into `ARENA_SLOTS` stacks of the default size.
pub(crate) struct Arena {
    start: usize,
    len: usize,
    /// A stack's bytes, its guard page included.
    slot_size: usize,
    /// Whether each slot's lowest page is a guard region (else padding).
    guarded: bool,
}

impl Arena {
    /// Maps an arena for stacks of `usable` bytes. `None` if it is to be
    /// `guarded` and the kernel cannot install guard regions (checked on the
    /// first slot, which every new arena carves at once).
    fn new(usable: usize, guarded: bool) -> io::Result<Option<Rc<Arena>>> {
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
            guarded,
        };
        if !arena.prepare(0) {
            return Ok(None); // dropped: unmapped
        }
        Ok(Some(Rc::new(arena)))
    }

    /// Readies slot `slot` to be handed out: installs its guard page in a
    /// guarded arena (`false` if the kernel refuses); nothing otherwise (the
    /// padding page of a fresh mapping reads as zero, which is its canary).
    fn prepare(&self, slot: usize) -> bool {
        if !self.guarded {
            return true;
        }
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
    /// Whether default-size stacks come from guarded arenas (true until the
    /// kernel refuses guard regions, or when turned off).
    guard_regions: bool,
    /// What to do without guard regions.
    guards: StackGuards,
    /// The guarded arena new slots are carved from, and how many it has given.
    current: Option<(Rc<Arena>, usize)>,
    /// The same for unguarded arenas.
    current_unguarded: Option<(Rc<Arena>, usize)>,
    idle: Vec<Stack>,
    idle_other: Vec<(usize, Stack)>,
}

impl StackPool {
    pub(crate) fn new(
        default_size: usize,
        max_idle: usize,
        guard_regions: bool,
        guards: StackGuards,
    ) -> Self {
        let valgrind = under_valgrind();
        StackPool {
            default_size: usable_size(default_size),
            max_idle,
            guard_regions: guard_regions && !valgrind,
            // Valgrind must see each stack as a mapping of its own.
            guards: if valgrind {
                StackGuards::Always
            } else {
                guards
            },
            current: None,
            current_unguarded: None,
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
            if self.guard_regions {
                if let Some(stack) = self.carve(true)? {
                    return Ok(stack);
                }
                self.guard_regions = false; // the kernel refuses guard regions
            }
            return self.without_guard_regions();
        } else if let Some(i) = self.idle_other.iter().position(|(s, _)| *s == size) {
            return Ok(self.idle_other.swap_remove(i).1);
        }
        DefaultStack::new(size).map(Stack::Mapped)
    }

    /// A new default-size stack where guard regions are not used, as the
    /// [`StackGuards`] policy says.
    fn without_guard_regions(&mut self) -> io::Result<Stack> {
        let size = self.default_size;
        match self.guards {
            StackGuards::Always => DefaultStack::new(size).map(Stack::Mapped),
            StackGuards::Within(budget) => {
                let reserved = BUDGETED_LIVE
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| {
                        (live < budget).then_some(live + 1)
                    })
                    .is_ok();
                if reserved {
                    match DefaultStack::new(size) {
                        Ok(stack) => return Ok(Stack::Budgeted(Budgeted(stack))),
                        Err(err) => {
                            BUDGETED_LIVE.fetch_sub(1, Ordering::Relaxed);
                            // Out of mappings below the budget (the application
                            // holds more than we left it): go unguarded.
                            if err.raw_os_error() != Some(libc::ENOMEM) {
                                return Err(err);
                            }
                        }
                    }
                }
                self.carve_unguarded()
            }
            StackGuards::Never => self.carve_unguarded(),
        }
    }

    fn carve_unguarded(&mut self) -> io::Result<Stack> {
        if !UNGUARDED_WARNED.swap(true, Ordering::Relaxed) {
            log::warn!(
                "silly: coroutine stacks without guard pages from now on ({:?}); \
                 an overflow is caught, if at all, by a canary when the coroutine switches",
                self.guards
            );
        }
        Ok(self
            .carve(false)?
            .expect("an unguarded arena needs no kernel support"))
    }

    /// The next unused slot of the current (guarded or unguarded) arena, or
    /// of a new one; `None` when guard regions are not available.
    fn carve(&mut self, guarded: bool) -> io::Result<Option<Stack>> {
        let current = if guarded {
            &mut self.current
        } else {
            &mut self.current_unguarded
        };
        if let Some((arena, used)) = current {
            if *used < ARENA_SLOTS {
                let slot = *used;
                if !arena.prepare(slot) {
                    return Ok(None);
                }
                *used += 1;
                return Ok(Some(Stack::Arena {
                    arena: arena.clone(),
                    slot,
                }));
            }
        }
        let Some(arena) = Arena::new(self.default_size, guarded)? else {
            return Ok(None);
        };
        *current = Some((arena.clone(), 1)); // slot 0 is prepared
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
                Stack::Mapped(_) | Stack::Budgeted(_) if self.idle.len() < self.max_idle => {
                    if self.idle.len() >= RELEASE_PAGES_ABOVE {
                        release_pages(&stack);
                    }
                    self.idle.push(stack);
                }
                Stack::Mapped(_) | Stack::Budgeted(_) => {}
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
