//! The silly-rs benchmark harness: a lean load generator ([`loader`], and
//! [`fanout`] for broadcast servers, [`redis_load`] for Redis clients), the
//! Tokio peers' shared parts ([`peer`], [`room`]), the [`soak`], and helpers
//! shared by the micro-benchmarks.

pub mod fanout;
pub mod loader;
pub mod peer;
pub mod redis_load;
pub mod report;
pub mod room;
pub mod soak;

use std::time::{Duration, Instant};

/// Runs `f` `rounds` times and returns the median of the durations it took.
pub fn median_of(rounds: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..rounds).map(|_| f()).collect();
    times.sort();
    times[times.len() / 2]
}

/// Times `f`.
pub fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Resident set size of this process, in KiB (from `/proc/self/status`).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_picks_the_middle() {
        let mut values = [5u64, 1, 3].into_iter();
        let m = median_of(3, || Duration::from_millis(values.next().unwrap()));
        assert_eq!(m, Duration::from_millis(3));
    }

    #[test]
    fn rss_is_reported() {
        assert!(rss_kib() > 0);
    }
}
