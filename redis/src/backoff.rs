//! Capped exponential back-off between reconnection attempts.

use std::time::{Duration, Instant};

use silly_runtime::sync::Notify;
use silly_runtime::time;

/// The wait before the next attempt: `min` after the first failure, doubling
/// with each failure in a row up to `max`, back to `min` after a success.
/// The bounds come from a checked [`Config`](crate::Config): `min` is not
/// zero and `max` is at least `min`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max,
            next: min,
        }
    }

    /// The wait after one more failure.
    pub(crate) fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        wait
    }

    /// Forgets the failures.
    pub(crate) fn succeeded(&mut self) {
        self.next = self.min;
    }

    /// Sleeps for the wait after one more failure.
    pub(crate) fn wait(&mut self) {
        sleep_until(time::deadline(Some(self.failed())));
    }
}

/// Sleeps until `at`; `None` (a wait too long for the clock) sleeps until
/// the coroutine is interrupted.
pub(crate) fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => time::sleep_until(at),
        None => {
            let never = Notify::new();
            loop {
                never.wait();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(100), ms(500));
        let waits: Vec<_> = (0..5).map(|_| b.failed()).collect();
        assert_eq!(waits, [ms(100), ms(200), ms(400), ms(500), ms(500)]);
        b.succeeded();
        assert_eq!(b.failed(), ms(100));
    }

    #[test]
    fn a_huge_cap_saturates_instead_of_overflowing() {
        let mut b = Backoff::new(Duration::MAX / 2 + Duration::from_secs(1), Duration::MAX);
        let first = b.failed();
        assert_eq!(
            (first, b.failed(), b.failed()),
            (first, Duration::MAX, Duration::MAX)
        );
    }
}
