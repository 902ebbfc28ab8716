//! Turning per-call timeouts into deadlines.

use std::time::{Duration, Instant};

/// The instant a call started now must finish by, if it has a timeout.
pub(crate) fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.map(|t| Instant::now() + t)
}
