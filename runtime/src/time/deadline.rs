//! The one way a timeout becomes a deadline in silly-rs.

use std::time::{Duration, Instant};

use super::clock::loop_now;

/// The instant a wait of `timeout` that starts now must end by, or `None`
/// when it never ends: no timeout, or one so long that the clock cannot hold
/// its end (a huge timeout means none, never a panic).
///
/// Every crate of silly-rs turns its `Option<Duration>` timeouts into
/// deadlines with this one function (or [`loop_deadline`], its cheaper
/// twin for long waits that start very often).
///
/// ```
/// use silly_runtime::time;
/// use std::time::{Duration, Instant};
///
/// assert!(time::deadline(Some(Duration::from_secs(1))).unwrap() > Instant::now());
/// assert_eq!(time::deadline(None), None);
/// assert_eq!(time::deadline(Some(Duration::MAX)), None);
/// ```
#[inline]
pub fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

/// [`deadline`] counted from [`loop_now`] instead of a clock read: it may end
/// early by the loop's lag (how long this turn has run so far: microseconds
/// under network load). For a wait that starts very often and whose timeout
/// is long next to that lag, where a clock read each time would be most of
/// what it costs: the HTTP server's wait for the next request on a
/// keep-alive connection is one.
///
/// ```
/// use silly_runtime::time;
/// use std::time::Duration;
///
/// silly_runtime::run(|| {
///     let end = time::loop_deadline(Some(Duration::from_secs(5))).unwrap();
///     assert_eq!(end, time::loop_now() + Duration::from_secs(5));
///     assert_eq!(time::loop_deadline(None), None);
///     assert_eq!(time::loop_deadline(Some(Duration::MAX)), None);
/// });
/// ```
#[inline]
pub fn loop_deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| loop_now().checked_add(t))
}
