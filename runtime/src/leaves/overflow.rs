//! Reports a coroutine stack overflow by name instead of a bare segfault.
//!
//! A coroutine that runs past the end of its stack touches the guard page below
//! it and gets SIGSEGV (SIGBUS on some systems). Our handler runs on an alternate
//! signal stack, compares the faulting address with the guard page of the
//! coroutine running on this thread, and if it matches writes
//! `coroutine stack overflow (task N, stack size S)` to stderr and aborts.
//! Any other fault goes to the handler that was installed before ours (Rust's own
//! stack-overflow reporter, a sanitizer, a debugger's), or to the default action.
//!
//! Signal context allows async-signal-safe calls only: the handler reads plain
//! thread-local integers, formats digits into a stack buffer, and calls `write(2)`
//! and `abort(3)`. No allocation, no locks.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// What the handler needs to know about the coroutine running on this thread.
/// Plain `Cell<usize>` fields, const-initialised, no destructor: reading them
/// compiles to thread-pointer-relative loads, safe in a signal handler.
struct Running {
    /// Guard page `[guard_start, guard_end)`; `guard_start == 0`: no coroutine runs.
    guard_start: Cell<usize>,
    guard_end: Cell<usize>,
    task_id: Cell<usize>,
    stack_size: Cell<usize>,
}

thread_local! {
    static RUNNING: Running = const {
        Running {
            guard_start: Cell::new(0),
            guard_end: Cell::new(0),
            task_id: Cell::new(0),
            stack_size: Cell::new(0),
        }
    };
}

/// The `sigaction` that was installed for SIGSEGV / SIGBUS before ours, stored as
/// (handler address, flags) so the handler can read them without a lock.
static PREVIOUS_SEGV: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
static PREVIOUS_BUS: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Size of the alternate signal stack we create for threads that have none.
const ALT_STACK_SIZE: usize = 64 * 1024;

/// Records which coroutine is about to run on this thread.
pub(crate) fn enter(task_id: u64, guard: (usize, usize), stack_size: usize) {
    RUNNING.with(|r| {
        r.guard_start.set(guard.0);
        r.guard_end.set(guard.1);
        r.task_id.set(task_id as usize);
        r.stack_size.set(stack_size);
    });
}

/// The id of the coroutine running on this thread, if any.
pub(crate) fn running_task() -> Option<u64> {
    RUNNING.with(|r| (r.guard_start.get() != 0).then(|| r.task_id.get() as u64))
}

/// The lowest usable address of the running coroutine's stack (just above its
/// guard page), if a coroutine runs on this thread.
pub(crate) fn running_stack_bottom() -> Option<usize> {
    RUNNING.with(|r| (r.guard_start.get() != 0).then(|| r.guard_end.get()))
}

/// Records that no coroutine runs on this thread.
pub(crate) fn leave() {
    RUNNING.with(|r| r.guard_start.set(0));
}

/// An alternate signal stack this module created for the current thread; dropping
/// it switches the alternate stack off again and unmaps it.
pub(crate) struct AltStack {
    base: *mut libc::c_void,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let disable = libc::stack_t {
            ss_sp: ptr::null_mut(),
            ss_flags: libc::SS_DISABLE,
            ss_size: ALT_STACK_SIZE,
        };
        // SAFETY: `disable` is a valid stack_t; turning the alternate stack off
        // before unmapping it means no signal can be delivered onto freed memory.
        // `base` is the mapping of ALT_STACK_SIZE bytes made in `ensure_alt_stack`.
        unsafe {
            libc::sigaltstack(&disable, ptr::null_mut());
            libc::munmap(self.base, ALT_STACK_SIZE);
        }
    }
}

/// Installs the handler (once per process) and makes sure this thread has an
/// alternate signal stack, without which a handler for a stack overflow cannot run.
pub(crate) fn install() -> Option<AltStack> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        install_handler(libc::SIGSEGV, &PREVIOUS_SEGV);
        install_handler(libc::SIGBUS, &PREVIOUS_BUS);
    });
    ensure_alt_stack()
}

fn install_handler(signal: libc::c_int, previous: &[AtomicUsize; 2]) {
    // SAFETY: all-zero is a valid `sigaction` (empty mask, no flags, SIG_DFL).
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
    // SAFETY: zeroed storage for the old action, filled by the kernel.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `action.sa_mask` is a valid sigset_t to initialise; `action` and `old`
    // are valid for the call; `handler` has the SA_SIGINFO signature.
    let rc = unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, &mut old)
    };
    if rc == 0 {
        previous[0].store(old.sa_sigaction, Ordering::SeqCst);
        previous[1].store(old.sa_flags as usize, Ordering::SeqCst);
    }
}

fn ensure_alt_stack() -> Option<AltStack> {
    // SAFETY: all-zero is a valid stack_t to receive the current setting.
    let mut current: libc::stack_t = unsafe { std::mem::zeroed() };
    // SAFETY: querying only (new stack is null); `current` is valid storage.
    if unsafe { libc::sigaltstack(ptr::null(), &mut current) } != 0 {
        return None;
    }
    if current.ss_flags & libc::SS_DISABLE == 0 {
        return None; // the thread has one (Rust's runtime gives most threads one)
    }
    // SAFETY: an anonymous private mapping; the result is checked below.
    let base = unsafe {
        libc::mmap(
            ptr::null_mut(),
            ALT_STACK_SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return None;
    }
    let stack = libc::stack_t {
        ss_sp: base,
        ss_flags: 0,
        ss_size: ALT_STACK_SIZE,
    };
    // SAFETY: `stack` describes the writable mapping made just above, which stays
    // mapped until the returned AltStack has switched it off again.
    if unsafe { libc::sigaltstack(&stack, ptr::null_mut()) } != 0 {
        // SAFETY: unmapping the mapping made above, which nothing uses.
        unsafe { libc::munmap(base, ALT_STACK_SIZE) };
        return None;
    }
    Some(AltStack { base })
}

extern "C" fn handler(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t for a handler installed with
    // SA_SIGINFO; for SIGSEGV/SIGBUS `si_addr` is the faulting address.
    let address = unsafe { (*info).si_addr() } as usize;
    let (start, end, task, size) = RUNNING.with(|r| {
        (
            r.guard_start.get(),
            r.guard_end.get(),
            r.task_id.get(),
            r.stack_size.get(),
        )
    });
    if start != 0 && address >= start && address < end {
        report_overflow(task, size, b")\n");
    }
    let previous = if signal == libc::SIGSEGV {
        &PREVIOUS_SEGV
    } else {
        &PREVIOUS_BUS
    };
    let old_handler = previous[0].load(Ordering::SeqCst);
    let old_flags = previous[1].load(Ordering::SeqCst) as libc::c_int;
    if old_handler == libc::SIG_DFL || old_handler == libc::SIG_IGN {
        // Restore the default action and return: the faulting instruction runs
        // again and the process dies of the signal as it would without us.
        // SAFETY: all-zero is SIG_DFL with an empty mask; sigaction is
        // async-signal-safe.
        unsafe {
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(signal, &default, ptr::null_mut());
        }
    } else if old_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler was installed with SA_SIGINFO, so it has
        // this signature; we pass it the arguments the kernel passed us.
        unsafe {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(old_handler);
            f(signal, info, context);
        }
    } else {
        // SAFETY: a handler installed without SA_SIGINFO takes only the signal number.
        unsafe {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(old_handler);
            f(signal);
        }
    }
}

/// Reports that the coroutine running on this thread overwrote the canary of
/// its unguarded stack (found when it switched out), and aborts: the memory
/// below its stack may be corrupt, so nothing else may run.
pub(crate) fn report_smashed_canary() -> ! {
    let (task, size) = RUNNING.with(|r| (r.task_id.get(), r.stack_size.get()));
    report_overflow(
        task,
        size,
        b"; found by the canary of a stack without guard page)\n",
    )
}

/// Writes `coroutine stack overflow (task N, stack size S` and `end`, then
/// aborts. Async-signal-safe.
fn report_overflow(task: usize, stack_size: usize, end: &'static [u8]) -> ! {
    let mut buf = [0u8; 160];
    let mut len = 0;
    for part in [
        Part::Text(b"coroutine stack overflow (task "),
        Part::Number(task),
        Part::Text(b", stack size "),
        Part::Number(stack_size),
        Part::Text(end),
    ] {
        len += part.write(&mut buf[len..]);
    }
    // SAFETY: write(2) and abort(3) are async-signal-safe; `buf[..len]` is initialised.
    unsafe {
        libc::write(libc::STDERR_FILENO, buf.as_ptr().cast(), len);
        libc::abort();
    }
}

enum Part {
    Text(&'static [u8]),
    Number(usize),
}

impl Part {
    /// Writes itself at the start of `out` without allocating; returns the length.
    fn write(&self, out: &mut [u8]) -> usize {
        match *self {
            Part::Text(text) => {
                let n = text.len().min(out.len());
                out[..n].copy_from_slice(&text[..n]);
                n
            }
            Part::Number(mut value) => {
                let mut digits = [0u8; 20];
                let mut i = digits.len();
                loop {
                    i -= 1;
                    digits[i] = b'0' + (value % 10) as u8;
                    value /= 10;
                    if value == 0 {
                        break;
                    }
                }
                let n = (digits.len() - i).min(out.len());
                out[..n].copy_from_slice(&digits[i..i + n]);
                n
            }
        }
    }
}
