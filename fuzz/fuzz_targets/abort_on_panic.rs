//! Shared by the stream targets: make every panic abort, so a panic the
//! runtime would catch at a coroutine's boundary is a crash for the fuzzer.

/// Installs the hook once per process.
pub fn install() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("{info}");
            std::process::abort();
        }))
    });
}
