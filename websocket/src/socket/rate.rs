//! How many messages per second a peer may send
//! (`Config::max_messages_per_second`): a token bucket that holds one
//! second's worth, kept as the instant it will be empty again (the generic
//! cell rate algorithm): one comparison and one addition per message, no
//! refill timer. Time comes from the caller (the loop's clock), so a check
//! makes no system call.

use std::time::Instant;

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// The bucket of one socket.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rate {
    /// What one message costs, in nanoseconds: a second over the limit.
    cost: u64,
    /// The clock's zero for `full_until`.
    origin: Instant,
    /// Nanoseconds after `origin` until which the messages taken so far
    /// keep the bucket used: it is empty (a whole burst free) once the
    /// clock passes it, full when it is a second ahead of the clock.
    full_until: u64,
}

impl Rate {
    /// A bucket for `per_second` messages (at least 1), empty at `now`.
    pub(super) fn new(per_second: u32, now: Instant) -> Rate {
        Rate {
            cost: NANOS_PER_SECOND / u64::from(per_second.max(1)),
            origin: now,
            full_until: 0,
        }
    }

    /// Takes one message arrived at `now`: false if the bucket is full (the
    /// peer sent more than its rate allows), and then nothing is taken.
    #[inline]
    pub(super) fn admit(&mut self, now: Instant) -> bool {
        let t = u64::try_from(now.saturating_duration_since(self.origin).as_nanos())
            .unwrap_or(u64::MAX);
        let next = self.full_until.max(t).saturating_add(self.cost);
        if next - t > NANOS_PER_SECOND {
            return false;
        }
        self.full_until = next;
        true
    }
}

#[cfg(test)]
mod tests;
