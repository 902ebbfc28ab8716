use super::*;

const S: Duration = Duration::from_secs(1);

#[test]
fn a_quiet_peer_is_pinged_then_dropped() {
    let t0 = Instant::now();
    let live = Liveness::new(10 * S, Some(3 * S), t0);
    assert_eq!(live.first_check(), Some(t0 + 10 * S));
    assert_eq!(
        live.due(t0 + 10 * S, || false),
        Due::Ping(Some(t0 + 13 * S))
    );
    assert_eq!(live.due(t0 + 13 * S, || false), Due::Expired);
}

#[test]
fn bytes_read_push_the_ping_back_and_answer_it() {
    let t0 = Instant::now();
    let live = Liveness::new(10 * S, Some(3 * S), t0);
    live.heard().set(t0 + 4 * S);
    assert_eq!(
        live.due(t0 + 10 * S, || false),
        Due::CheckAt(Some(t0 + 14 * S))
    );
    assert_eq!(
        live.due(t0 + 14 * S, || false),
        Due::Ping(Some(t0 + 17 * S))
    );
    // The pong, a second later.
    live.heard().set(t0 + 15 * S);
    assert_eq!(
        live.due(t0 + 17 * S, || false),
        Due::CheckAt(Some(t0 + 25 * S))
    );
    // Read in the loop turn the ping went out: an answer too.
    assert_eq!(
        live.due(t0 + 25 * S, || false),
        Due::Ping(Some(t0 + 28 * S))
    );
    live.heard().set(t0 + 25 * S);
    assert_eq!(
        live.due(t0 + 28 * S, || false),
        Due::CheckAt(Some(t0 + 35 * S))
    );
}

#[test]
fn unread_bytes_in_the_kernel_keep_the_peer() {
    let t0 = Instant::now();
    let live = Liveness::new(10 * S, Some(3 * S), t0);
    assert!(matches!(live.due(t0 + 10 * S, || true), Due::Ping(_)));
    assert_eq!(
        live.due(t0 + 13 * S, || true),
        Due::CheckAt(Some(t0 + 23 * S))
    );
}

#[test]
fn without_a_timeout_pings_go_on_and_nothing_expires() {
    let t0 = Instant::now();
    let live = Liveness::new(10 * S, None, t0);
    assert_eq!(
        live.due(t0 + 10 * S, || false),
        Due::Ping(Some(t0 + 20 * S))
    );
    assert_eq!(
        live.due(t0 + 20 * S, || false),
        Due::Ping(Some(t0 + 30 * S))
    );
}

#[test]
fn times_too_far_for_the_clock_mean_never() {
    let t0 = Instant::now();
    let never = Liveness::new(Duration::MAX, Some(S), t0);
    assert_eq!(never.first_check(), None);
    assert_eq!(never.due(t0 + S, || false), Due::CheckAt(None));
    // A timeout too long for the clock is none: pings go on.
    let patient = Liveness::new(S, Some(Duration::MAX), t0);
    assert_eq!(patient.due(t0 + S, || false), Due::Ping(Some(t0 + 2 * S)));
    assert_eq!(
        patient.due(t0 + 2 * S, || false),
        Due::Ping(Some(t0 + 3 * S))
    );
}
