//! A coroutine that overflows its stack is reported by name, then the process aborts.

mod util;

#[allow(unconditional_recursion)] // the point: run off the end of the stack
fn recurse(n: u64) -> u64 {
    let buf = std::hint::black_box([n as u8; 256]);
    recurse(n + 1) + buf[0] as u64
}

#[test]
fn overflow_prints_message_and_aborts() {
    if util::child_scenario().is_some() {
        silly::run(|| {
            silly::task::Builder::new()
                .stack_size(64 * 1024)
                .fork(|| recurse(0))
                .join()
                .ok();
        });
        unreachable!("the overflow aborts the process");
    }
    let out = util::run_child("overflow_prints_message_and_aborts", "overflow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("coroutine stack overflow (task 2, stack size 65536)"),
        "stderr: {stderr}"
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "status: {:?}",
        out.status
    );
}
