use std::time::{Duration, Instant};

use super::Timers;

#[test]
fn pops_in_deadline_then_insertion_order() {
    let mut timers = Timers::new();
    let base = Instant::now();
    // Pseudo-random deadlines from a fixed LCG, some equal.
    let mut x: u64 = 12345;
    let mut expected = Vec::new();
    for i in 0..2000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = (x >> 33) % 500;
        let key = timers.insert(base + Duration::from_millis(ms), ());
        expected.push((ms, i, key));
    }
    // Cancel every third.
    let mut kept = Vec::new();
    for (n, (ms, i, key)) in expected.into_iter().enumerate() {
        if n % 3 == 0 {
            assert!(timers.cancel(key).is_some());
            assert!(timers.cancel(key).is_none(), "second cancel is a no-op");
        } else {
            kept.push((ms, i));
        }
    }
    kept.sort();
    assert_eq!(timers.len(), kept.len());
    let mut popped = 0;
    let mut last = None;
    while let Some(deadline) = timers.next_deadline() {
        assert!(timers.pop_expired(deadline).is_some());
        if let Some(prev) = last {
            assert!(deadline >= prev);
        }
        assert_eq!(deadline, base + Duration::from_millis(kept[popped].0));
        last = Some(deadline);
        popped += 1;
    }
    assert_eq!(popped, kept.len());
}

#[test]
fn not_expired_before_deadline() {
    let mut timers = Timers::new();
    let now = Instant::now();
    let key = timers.insert(now + Duration::from_millis(10), ());
    assert!(timers.pop_expired(now).is_none());
    assert!(timers
        .pop_expired(now + Duration::from_millis(10))
        .is_some());
    assert!(
        timers.cancel(key).is_none(),
        "cancel after expiry finds nothing"
    );
}

#[test]
fn a_key_from_before_take_all_cancels_nothing_armed_after() {
    let mut timers = Timers::new();
    let now = Instant::now();
    let old = timers.insert(now, ());
    let taken = timers.take_all();
    assert_eq!((taken.len(), timers.len()), (1, 0));
    // Same slot as `old` in the fresh slab; a different id.
    let new = timers.insert(now, ());
    assert!(timers.cancel(old).is_none());
    assert_eq!(timers.len(), 1);
    assert!(timers.cancel(new).is_some());
}
