//! The leaves: plain data structures that know nothing of the runtime (no
//! thread-local, no context). They may use one another, never a module above.

pub(crate) mod cell;
pub(crate) mod coroutine;
pub(crate) mod inbox;
pub(crate) mod overflow;
pub(crate) mod ready;
pub(crate) mod report;
pub(crate) mod stack;
pub(crate) mod timer;
