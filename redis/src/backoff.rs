//! Capped exponential back-off between reconnection attempts.

use std::time::Duration;

/// Shortest wait between attempts, whatever the config says.
pub(crate) const MIN_WAIT: Duration = Duration::from_millis(1);

/// The wait before the next attempt: `min` after the first failure, doubling
/// with each failure in a row up to `max`, back to `min` after a success.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// A zero `min` is taken as [`MIN_WAIT`]: retrying with no wait at all
    /// would spin.
    pub(crate) fn new(min: Duration, max: Duration) -> Backoff {
        let min = min.max(MIN_WAIT);
        let max = max.max(min);
        Backoff {
            min,
            max,
            next: min,
        }
    }

    /// The wait after one more failure.
    pub(crate) fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    /// Forgets the failures.
    pub(crate) fn succeeded(&mut self) {
        self.next = self.min;
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
    fn a_zero_min_still_waits() {
        let mut b = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert_eq!(b.failed(), MIN_WAIT);
    }

    #[test]
    fn a_max_below_min_is_min() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(100), ms(10));
        assert_eq!((b.failed(), b.failed()), (ms(100), ms(100)));
    }
}
