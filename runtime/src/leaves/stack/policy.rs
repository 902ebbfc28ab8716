//! What guards a stack where guard regions are not available: the
//! [`StackGuards`] policy, and the process-wide budget of `Within`.

use std::sync::atomic::{AtomicUsize, Ordering};

use corosensei::stack::DefaultStack;

/// Default-size stacks with a guarded mapping of their own under
/// [`StackGuards::Within`], in the whole process (the mapping limit is per
/// process, and every runtime's stacks count against it).
pub(super) static BUDGETED_LIVE: AtomicUsize = AtomicUsize::new(0);

/// How coroutine stacks are protected where the kernel cannot install guard
/// regions (before Linux 6.13), or when
/// [`Builder::guard_regions`](crate::Builder::guard_regions) is off. With guard
/// regions every stack is guarded whatever the policy, at no mapping cost.
///
/// Chosen with the `unsafe` [`Builder::stack_guards`](crate::Builder::stack_guards),
/// whose docs say what each costs.
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

/// A guarded mapping that holds one unit of [`BUDGETED_LIVE`] while it lives.
pub(crate) struct Budgeted(pub(super) DefaultStack);

impl Drop for Budgeted {
    fn drop(&mut self) {
        BUDGETED_LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}
