use super::*;

#[test]
fn a_duration_on_a_bound_falls_in_that_bucket() {
    let h = Histogram::new();
    h.observe(Duration::from_micros(10));
    h.observe(Duration::from_nanos(10_001));
    h.observe(Duration::ZERO);
    let s = h.snapshot();
    assert_eq!(s.buckets[0], 2, "0 and 10 µs are at most 10 µs");
    assert_eq!(s.buckets[1], 1, "just past 10 µs");
    assert_eq!(s.count, 3);
}

#[test]
fn past_the_last_bound_counts_only_in_the_total() {
    let h = Histogram::new();
    h.observe(Duration::from_secs(11));
    h.observe(Duration::MAX);
    let s = h.snapshot();
    assert_eq!(s.buckets[BUCKETS.len()], 2);
    assert_eq!(s.count, 2);
    assert!(s.cumulative().iter().all(|&(_, n)| n == 0));
    assert!(s.sum > 1e9, "saturated, not wrapped: {}", s.sum);
}

#[test]
fn cumulative_counts_grow_and_sum_adds_up() {
    let h = Histogram::new();
    for ms in [1, 2, 3, 300] {
        h.observe(Duration::from_millis(ms));
    }
    let s = h.snapshot();
    let cumulative = s.cumulative();
    assert_eq!(cumulative.len(), BUCKETS.len());
    assert!(cumulative.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(cumulative[6], (0.001, 1));
    assert_eq!(cumulative[7], (0.0025, 2));
    assert_eq!(cumulative[8], (0.005, 3));
    assert_eq!(cumulative.last().unwrap().1, 4);
    assert!((s.sum - 0.306).abs() < 1e-9, "{}", s.sum);
    let twice = s + s;
    assert_eq!(twice.count, 8);
    assert_eq!(twice.cumulative()[7], (0.0025, 4));
}

#[test]
fn counters_and_gauges_add() {
    let c = Counter::new();
    c.add(2);
    c.add(3);
    assert_eq!(c.get(), 5);
    let g = Gauge::new();
    g.add(1);
    g.add(-3);
    assert_eq!(g.get(), -2, "a thread's share may be negative");
}

#[test]
fn observe_since_nothing_is_no_observation() {
    let h = Histogram::new();
    h.observe_since(None);
    assert_eq!(h.snapshot().count, 0);
    h.observe_since(Some(Instant::now()));
    assert_eq!(h.snapshot().count, 1);
}

#[test]
fn observations_wait_for_the_turn_end_and_overflow_at_once() {
    thread_local! {
        static H: Histogram = const { Histogram::new() };
    }
    enable();
    let t0 = Instant::now();
    for _ in 0..3 {
        observe_at_turn_end(&H, Some(t0)); // one entry, counted three times
    }
    let starts: Vec<Instant> = (1..=20).map(|n| t0 + Duration::from_nanos(n)).collect();
    for &start in &starts {
        observe_at_turn_end(&H, Some(start));
    }
    observe_at_turn_end(&H, None);
    // 1 + 15 entries fill the table; the last 5 starts were timed at once.
    assert_eq!(H.with(Histogram::snapshot).count, 5);
    turn_done(Instant::now());
    assert_eq!(H.with(Histogram::snapshot).count, 23);
    turn_done(Instant::now());
    assert_eq!(H.with(Histogram::snapshot).count, 23, "each once");
}
