//! Coroutine stacks: carved from large arenas, pooled for reuse.
//!
//! A fresh stack costs an `mmap`, an `mprotect` (the guard page) and later a
//! `munmap`: about 9 us here, thirty times the cost of a whole fork+join. Finished
//! coroutines therefore hand their stack back, and the next task takes it.
//!
//! Linux caps a process at `vm.max_map_count` mappings (65,530 by default), and
//! a stack mapped on its own with an `mprotect`ed guard page costs two: about
//! 32,700 suspended coroutines at most, whatever the memory. So stacks of the
//! default size are carved from arenas, one mapping of `arena::ARENA_SLOTS` stacks
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

mod arena;
mod coroutine_stack;
mod policy;
mod pool;
mod release;
mod size;

pub(crate) use self::coroutine_stack::{Stack, CANARY_OFFSETS};
pub use self::policy::StackGuards;
pub(crate) use self::pool::StackPool;
pub(crate) use self::release::trim_below_here;
pub(crate) use self::size::page_size;
