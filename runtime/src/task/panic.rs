//! Names the task in panic reports.

use std::sync::Once;

use crate::leaves::overflow;
use crate::leaves::report::report;

/// Wraps the process's panic hook (once): a panic inside a coroutine first prints
/// `silly: task N panicked`, then whatever the previous hook prints (location,
/// message, backtrace). Panics outside coroutines are reported unchanged.
pub(crate) fn install_panic_reporter() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(task) = overflow::running_task() {
                report(format_args!("task {task} panicked"));
            }
            previous(info);
        }));
    });
}
