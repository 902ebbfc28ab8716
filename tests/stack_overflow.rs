//! A coroutine that overflows its stack is reported by name, then the process aborts.

mod util;

#[allow(unconditional_recursion)] // the point: run off the end of the stack
fn recurse(n: u64) -> u64 {
    let buf = std::hint::black_box([n as u8; 256]);
    recurse(n + 1) + buf[0] as u64
}

/// Runs `test` again as a child and checks its stderr names the overflow of
/// task 2 with a `stack_size`-byte stack; returns the child's output.
fn overflow_report_of(test: &str, stack_size: usize) -> std::process::Output {
    let out = util::run_child(test, "overflow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("coroutine stack overflow (task 2, stack size {stack_size})");
    assert!(stderr.contains(&expected), "stderr: {stderr}");
    out
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
    let out = overflow_report_of("overflow_prints_message_and_aborts", 65536);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "status: {:?}",
        out.status
    );
}

#[test]
fn an_overflow_in_an_arena_stack_is_reported_by_name() {
    if util::child_scenario().is_some() {
        silly::run(|| {
            // The default size: an arena stack.
            silly::task::fork(|| recurse(0)).join().ok();
        });
        unreachable!("the overflow aborts the process");
    }
    let out = overflow_report_of(
        "an_overflow_in_an_arena_stack_is_reported_by_name",
        silly::DEFAULT_STACK_SIZE,
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
}

#[test]
fn a_stack_overflow_on_another_runtime_is_reported_by_name() {
    if util::child_scenario().is_some() {
        silly::Builder::new().threads(2).run_each(|| {
            if silly::runtime_index() == 1 {
                silly::task::Builder::new()
                    .stack_size(64 * 1024)
                    .fork(|| recurse(0))
                    .join()
                    .ok();
            }
        });
        unreachable!("the overflow aborts the process");
    }
    let out = overflow_report_of(
        "a_stack_overflow_on_another_runtime_is_reported_by_name",
        65536,
    );
    assert!(!out.status.success());
}

/// Recurses until this frame lies `past` bytes below `top`, writing each frame
/// whole, then returns: an overflow that does not fault (there is no guard
/// page) and that the coroutine survives until it switches out.
fn run_past(top: usize, past: usize) -> u64 {
    let buf = std::hint::black_box([7u8; 512]);
    let here = std::hint::black_box(&buf) as *const _ as usize;
    if here + past < top {
        return buf[0] as u64;
    }
    run_past(top, past) + buf[1] as u64
}

#[test]
fn an_overflow_past_an_unguarded_stack_is_caught_by_its_canary() {
    if util::child_scenario().is_some() {
        // SAFETY: none: this child overflows on purpose, and must abort.
        let builder = unsafe {
            silly::Builder::new()
                .guard_regions(false)
                .stack_size(64 * 1024)
                .stack_guards(silly::StackGuards::Never)
        };
        builder.run(|| {
            silly::task::fork(|| {
                let marker = 0u8;
                let top = std::hint::black_box(&marker) as *const u8 as usize;
                // 64 KiB of stack, and 2 KiB into the padding page below it.
                run_past(top, 64 * 1024 + 2048);
                silly::task::yield_now(); // the switch that checks the canary
            })
            .join()
            .ok();
        });
        unreachable!("the overflow aborts the process");
    }
    let out = util::run_child(
        "an_overflow_past_an_unguarded_stack_is_caught_by_its_canary",
        "overflow",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("coroutine stack overflow (task 2, stack size 65536; found by the canary"),
        "stderr: {stderr}"
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
}
