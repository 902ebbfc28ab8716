use std::time::Duration;

use super::*;

#[test]
fn a_second_s_worth_at_once_then_one_per_share_of_the_second() {
    let t0 = Instant::now();
    let mut rate = Rate::new(10, t0);
    for n in 0..10 {
        assert!(rate.admit(t0), "message {n} of the burst");
    }
    assert!(!rate.admit(t0), "the eleventh in the same instant");
    assert!(!rate.admit(t0 + Duration::from_millis(50)), "not yet");
    assert!(rate.admit(t0 + Duration::from_millis(100)), "a tenth later");
    assert!(!rate.admit(t0 + Duration::from_millis(100)));
    // A quiet second empties the bucket: a whole burst again.
    let later = t0 + Duration::from_millis(1200);
    for n in 0..10 {
        assert!(rate.admit(later), "message {n} of the second burst");
    }
    assert!(!rate.admit(later));
}

#[test]
fn a_steady_peer_at_the_rate_is_never_refused() {
    let t0 = Instant::now();
    let mut rate = Rate::new(1000, t0);
    for n in 0..10_000u64 {
        let at = t0 + Duration::from_millis(n);
        assert!(rate.admit(at), "message {n}");
    }
}

#[test]
fn a_clock_that_stands_still_or_goes_back_refuses_past_the_burst() {
    let before = Instant::now();
    let t0 = before + Duration::from_secs(1);
    let mut rate = Rate::new(2, t0);
    assert!(rate.admit(before));
    assert!(rate.admit(t0));
    assert!(!rate.admit(t0));
    assert!(rate.admit(t0 + Duration::from_secs(5)));
}

#[test]
fn the_extremes_of_the_limit() {
    let t0 = Instant::now();
    let mut one = Rate::new(1, t0);
    assert!(one.admit(t0));
    assert!(!one.admit(t0 + Duration::from_millis(999)));
    assert!(one.admit(t0 + Duration::from_secs(1)));
    // Over a billion a second: each message costs nothing.
    let mut huge = Rate::new(u32::MAX, t0);
    assert!((0..100_000).all(|_| huge.admit(t0)));
}
