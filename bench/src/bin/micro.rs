//! Micro-benchmarks of the runtime's primitives.
//!
//! ```text
//! cargo run --release -p silly-bench --bin micro
//! MICRO_PARKED=1000000 MICRO_GUARDS=budget cargo run --release -p silly-bench --bin micro
//! ```
//!
//! `MICRO_GUARDS` measures the fallbacks of a kernel without guard regions
//! (forced with `Builder::guard_regions(false)`): `mapped` (every stack its own
//! guarded mapping), `budget` (`StackGuards::within_map_budget()`), `never`
//! (unguarded arena stacks).
//!
//! Prints the median of several rounds for: a context switch (`yield_now`
//! ping-pong between two coroutines), a fork+join with pooled stacks, a timer
//! insert+cancel, and the resident memory of a parked coroutine.

use std::time::Duration;

use silly::{task, time, Builder, StackGuards};
use silly_bench::{median_of, rss_kib, timed};

const ROUNDS: usize = 7;

fn per_op(d: Duration, ops: u64) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

/// The runtime `MICRO_GUARDS` asks for (see the module docs).
fn builder() -> Builder {
    let guards = match std::env::var("MICRO_GUARDS").as_deref() {
        Ok("mapped") => StackGuards::Always,
        Ok("budget") => StackGuards::within_map_budget(),
        Ok("never") => StackGuards::Never,
        _ => return Builder::new(),
    };
    // SAFETY: the benchmark's tasks park or switch; their stacks stay shallow.
    unsafe { Builder::new().guard_regions(false).stack_guards(guards) }
}

fn main() {
    builder().run(|| {
        // Warm the stack pool and the allocator.
        for _ in 0..1000 {
            task::fork(|| ()).join().unwrap();
        }

        const SWITCHES: u64 = 2_000_000;
        let switch = median_of(ROUNDS, || {
            timed(|| {
                let a = task::fork(|| (0..SWITCHES / 2).for_each(|_| task::yield_now()));
                let b = task::fork(|| (0..SWITCHES / 2).for_each(|_| task::yield_now()));
                a.join().unwrap();
                b.join().unwrap();
            })
        });
        println!(
            "context switch (yield_now, 2 coroutines): {:.1} ns",
            per_op(switch, SWITCHES)
        );

        const FORKS: u64 = 500_000;
        let fork = median_of(ROUNDS, || {
            timed(|| {
                for i in 0..FORKS {
                    let h = task::fork(move || i);
                    std::hint::black_box(h.join().unwrap());
                }
            })
        });
        println!("fork + join (pooled stack): {:.1} ns", per_op(fork, FORKS));

        const TIMERS: u64 = 1_000_000;
        let timer = median_of(ROUNDS, || {
            timed(|| {
                for _ in 0..TIMERS {
                    let t = time::after(Duration::from_secs(3600), || {});
                    std::hint::black_box(t.cancel());
                }
            })
        });
        println!("timer insert + cancel: {:.1} ns", per_op(timer, TIMERS));

        // Default-size stacks come from arenas (one mapping per 1,024 stacks,
        // guard pages by MADV_GUARD_INSTALL): a million fit under the default
        // vm.max_map_count of 65,530.
        let parked = std::env::var("MICRO_PARKED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000u64);
        let maps_before = mappings();
        let before = rss_kib();
        let handles: Vec<_> = (0..parked)
            .map(|_| {
                task::fork(|| {
                    task::park();
                })
            })
            .collect();
        task::yield_now(); // every forked task runs once and parks
        let after = rss_kib();
        let maps_added = mappings() - maps_before;
        let per = (after - before) as f64 * 1024.0 / parked as f64;
        println!(
            "RSS per parked coroutine (default 512 KiB stack, {parked} parked, {maps_added} mappings added): {:.0} bytes ({:.2} KiB)",
            per,
            per / 1024.0
        );
        for h in &handles {
            h.task().unpark(()).unwrap();
        }
        for h in handles {
            h.join().unwrap();
        }
    });
}

/// Lines of /proc/self/maps: the process's memory mappings.
fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .map(|m| m.lines().count())
        .unwrap_or(0)
}
