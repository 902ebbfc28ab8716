//! Which runtime the caller runs on, and the runtimes started with it.

use crate::context::{self, RuntimeHandle};

/// The index of the runtime the caller runs on among those started together
/// ([`Builder::run_each`](crate::Builder::run_each)); 0 for a runtime started alone.
///
/// # Panics
///
/// Panics outside a runtime.
pub fn runtime_index() -> usize {
    context::with(|cx| cx.index)
}

/// A handle to the runtime the caller runs on.
///
/// # Panics
///
/// Panics outside a runtime.
pub fn current_runtime() -> RuntimeHandle {
    context::with(|cx| cx.handle())
}

/// Handles to every runtime started together with the caller's
/// ([`Builder::run_each`](crate::Builder::run_each)), by index; just the caller's for a runtime started
/// alone.
///
/// # Panics
///
/// Panics outside a runtime.
pub fn runtimes() -> Vec<RuntimeHandle> {
    context::with(|cx| cx.group.handles())
}
