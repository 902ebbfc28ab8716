//! The subsystems: each composes leaves into one part of a runtime, and is
//! handed what it needs from the others (a ready queue to wake into, a
//! `mio::Waker`); none knows the context that composes them.

pub(crate) mod blocking;
pub(crate) mod pool;
pub(crate) mod reactor;
pub(crate) mod scheduler;
