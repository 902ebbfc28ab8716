//! Coroutine stacks past Linux's mapping limit: arenas with guard regions, and
//! the fallbacks where guard regions are not used.

mod util;

use std::cell::Cell;
use std::rc::Rc;

use silly::{task, Builder, StackGuards};

/// Lines of /proc/self/maps: the process's memory mappings.
fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count()
}

/// Forks `n` tasks that each park, lets them all park (each holds a stack),
/// then wakes and joins them. Returns how many mappings that added at most.
fn park_many(n: usize) -> usize {
    let before = mappings();
    let handles: Vec<_> = (0..n).map(|_| task::fork(task::park)).collect();
    task::yield_now(); // every task runs once and parks
    let during = mappings();
    for h in &handles {
        h.task().unpark(()).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
    during.saturating_sub(before)
}

#[test]
fn two_hundred_thousand_parked_coroutines() {
    let _serial = util::serial(); // counts mappings and memory of the process
    let added = silly::run(|| park_many(200_000));
    // 200,000 stacks mapped one by one would need 400,000 mappings, over the
    // default vm.max_map_count (65,530). Arenas of 1,024 stacks: about 200.
    assert!(added < 1_000, "{added} mappings for 200,000 stacks");
}

#[test]
fn without_guard_regions_each_stack_is_its_own_mapping() {
    let _serial = util::serial();
    let added = Builder::new().guard_regions(false).run(|| park_many(1_000));
    assert!(
        added >= 1_000,
        "{added} mappings for 1,000 separately mapped stacks"
    );
}

/// Like `park_many`, and also counts the tasks that really ran.
fn park_many_counted(n: usize) -> (usize, usize) {
    let ran = Rc::new(Cell::new(0));
    let before = mappings();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let ran = ran.clone();
            task::fork(move || {
                ran.set(ran.get() + 1);
                task::park();
            })
        })
        .collect();
    task::yield_now();
    let during = mappings();
    for h in &handles {
        h.task().unpark(()).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
    (during.saturating_sub(before), ran.get())
}

#[test]
fn past_the_guard_budget_stacks_come_unguarded_from_arenas() {
    let _serial = util::serial();
    // Forced as on a kernel without guard regions: 1,000 stacks get a guarded
    // mapping of their own, the next 49,000 (past what 65,530 mappings could
    // hold at two each, were the default sysctl lowered) come from arenas.
    // SAFETY: the tasks only park; their stacks stay shallow.
    let builder = unsafe {
        Builder::new()
            .guard_regions(false)
            .stack_guards(StackGuards::Within(1_000))
    };
    let (added, ran) = builder.run(|| park_many_counted(50_000));
    assert_eq!(ran, 50_000);
    assert!(
        (1_000..2_500).contains(&added),
        "{added} mappings: 1,000 guarded stacks take 2,000, 49,000 in arenas about 50"
    );
}

#[test]
fn never_guarded_stacks_all_come_from_arenas() {
    let _serial = util::serial();
    // SAFETY: the tasks only park; their stacks stay shallow.
    let builder = unsafe {
        Builder::new()
            .guard_regions(false)
            .stack_guards(StackGuards::Never)
    };
    let (added, ran) = builder.run(|| park_many_counted(20_000));
    assert_eq!(ran, 20_000);
    assert!(added < 100, "{added} mappings for 20,000 arena stacks");
}

#[test]
fn the_map_budget_leaves_the_application_most_mappings() {
    let max: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Two mappings per guarded stack: a quarter of the limit.
    assert_eq!(
        StackGuards::within_map_budget(),
        StackGuards::Within(max / 8)
    );
}
