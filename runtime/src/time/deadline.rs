//! The one way a timeout becomes a deadline in silly-rs.

use std::time::{Duration, Instant};

/// The instant a wait of `timeout` that starts now must end by, or `None`
/// when it never ends: no timeout, or one so long that the clock cannot hold
/// its end (a huge timeout means none, never a panic).
///
/// Every crate of silly-rs turns its `Option<Duration>` timeouts into
/// deadlines with this one function.
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
