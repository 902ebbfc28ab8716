//! The pool of idle stacks, and where a new stack comes from.

use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use corosensei::stack::DefaultStack;

use super::arena::{Arena, ARENA_SLOTS};
use super::coroutine_stack::Stack;
use super::policy::{Budgeted, StackGuards, BUDGETED_LIVE};
use super::release::release_pages;
use super::size::usable_size;

/// Stacks of sizes other than the default are pooled too, but only a few.
const MAX_IDLE_OTHER: usize = 16;

/// Idle stacks beyond this many give their touched pages back to the kernel
/// (`madvise(MADV_DONTNEED)`) as they are pooled: after a burst of deep
/// coroutines the memory returns, while a steady small pool pays no syscall.
const RELEASE_PAGES_ABOVE: usize = 64;

/// Whether the warning that unguarded stacks are in use has been logged.
static UNGUARDED_WARNED: AtomicBool = AtomicBool::new(false);

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
