//! Coroutine stacks past Linux's mapping limit: arenas with guard regions.

mod util;

use silly::{task, Builder};

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
fn without_arenas_each_stack_is_its_own_mapping() {
    let _serial = util::serial();
    let added = Builder::new().stack_arenas(false).run(|| park_many(1_000));
    assert!(
        added >= 1_000,
        "{added} mappings for 1,000 separately mapped stacks"
    );
}
