//! The sizes of stacks: pages, and what a requested size becomes.

use std::sync::OnceLock;

use corosensei::stack::DefaultStack;

/// Smallest usable stack we hand out: below this even the panic machinery
/// (formatting a message, printing it) can overflow.
pub(crate) const MIN_STACK_SIZE: usize = 16 * 1024;

/// The size of a memory page.
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
