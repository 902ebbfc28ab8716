//! The driver: builds a runtime's `Context` from its parts, installs it for
//! the thread, creates the main task, and runs the loop: ready tasks, then I/O,
//! then the timers that fired. Also the public entry points `run`, `exit` and
//! `stats`.

mod builder;
mod event_loop;
mod runtimes;
mod stats;

pub use self::builder::{run, Builder, DEFAULT_MAX_IDLE_STACKS, DEFAULT_STACK_SIZE};
pub use self::event_loop::exit;
pub use self::runtimes::{current_runtime, runtime_index, runtimes};
pub use self::stats::{stats, stats_all, Stats};
