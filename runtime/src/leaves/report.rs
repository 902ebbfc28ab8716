//! The report the runtime writes to stderr itself: a task's panic, next to the
//! panic hook's own output (its other diagnostics go through the `log` crate,
//! so the application's logger routes them).
//!
//! Writing it must never fail loudly. `eprintln!` panics when stderr is gone
//! (a closed pipe: `prog 2>&1 | head` after `head` exits), and a panic inside
//! the panic hook aborts the process; so a report that cannot be written is
//! dropped.

use std::fmt;
use std::io::Write;

/// Writes one line `silly: <message>` to stderr, ignoring failures.
pub(crate) fn report(message: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "silly: {message}");
}
