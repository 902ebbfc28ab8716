//! Keepalive (`Config::ping_interval`, `Config::ping_timeout`): when to
//! ping a quiet peer and when to give up on it. The decisions only; the
//! socket sends the ping and ends the connection.
//!
//! Nothing runs per message: the reader stamps the loop's clock (no system
//! call) into [`Liveness::heard`] as bytes come in, and one timer per socket
//! looks at the stamp when it fires. It fires once per `ping_interval` on a
//! busy connection (and is then armed for the interval after the last
//! bytes, not re-armed per message), and once more `ping_timeout` after a
//! ping. The timer wakes no coroutine of the application's: a reader
//! blocked in `read` is woken by the end of the connection.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly_runtime::time::Timer;

/// What a check found to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// Nothing now; check again at this instant (`None`: never, an instant
    /// too far for the clock).
    CheckAt(Option<Instant>),
    /// The peer has been quiet for `ping_interval`: ping it, and check
    /// again at this instant.
    Ping(Option<Instant>),
    /// The peer sent nothing in `ping_timeout` after our ping: end it.
    Expired,
}

/// The keepalive state of one socket.
pub(super) struct Liveness {
    interval: Duration,
    timeout: Option<Duration>,
    /// When the reader last took bytes in, on the loop's clock
    /// (`time::loop_now`): shared with the reader, which sets it.
    heard: Rc<Cell<Instant>>,
    /// When our ping went out, while it is unanswered.
    pinged: Cell<Option<Instant>>,
    /// The next check, armed; cancelled when the socket is dropped, so a
    /// dropped socket leaves no timer behind.
    timer: Cell<Option<Timer>>,
}

impl Liveness {
    /// Keepalive for a socket opened at `now`.
    pub(super) fn new(interval: Duration, timeout: Option<Duration>, now: Instant) -> Liveness {
        Liveness {
            interval,
            timeout,
            heard: Rc::new(Cell::new(now)),
            pinged: Cell::new(None),
            timer: Cell::new(None),
        }
    }

    /// The stamp the reader sets as bytes come in.
    pub(super) fn heard(&self) -> Rc<Cell<Instant>> {
        self.heard.clone()
    }

    /// When to check first: an interval after the socket opened.
    pub(super) fn first_check(&self) -> Option<Instant> {
        self.heard.get().checked_add(self.interval)
    }

    /// Keeps `timer` as the armed check (the one before it has fired: this
    /// is called from it, or first).
    pub(super) fn set_timer(&self, timer: Timer) {
        self.timer.set(Some(timer));
    }

    /// The check at `now`. `unread` tells whether the peer's bytes wait in
    /// the kernel, unread: asked only when a ping has gone unanswered past
    /// `ping_timeout`, as a last look (such a peer is alive; it is the
    /// application that has not read).
    pub(super) fn due(&self, now: Instant, unread: impl FnOnce() -> bool) -> Due {
        if let Some(pinged) = self.pinged.get() {
            // Bytes read in the very loop turn the ping went out count as
            // an answer: the stamps are the loop's, and equal then.
            if self.heard.get() < pinged {
                // No end (no timeout, or one too far for the clock): no
                // answer is awaited, and pings go on each interval.
                match self.timeout.and_then(|t| pinged.checked_add(t)) {
                    // Checked before the end (not armed so): wait for it.
                    Some(end) if now < end => return Due::CheckAt(Some(end)),
                    Some(_) if !unread() => return Due::Expired,
                    Some(_) => self.heard.set(now),
                    None => {}
                }
            }
            self.pinged.set(None);
        }
        match self.heard.get().checked_add(self.interval) {
            Some(quiet_until) if now < quiet_until => Due::CheckAt(Some(quiet_until)),
            None => Due::CheckAt(None),
            Some(_) => {
                self.pinged.set(Some(now));
                let answer_by = self.timeout.and_then(|t| now.checked_add(t));
                Due::Ping(answer_by.or_else(|| now.checked_add(self.interval)))
            }
        }
    }
}

impl Drop for Liveness {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.get_mut().take() {
            timer.cancel();
        }
    }
}

#[cfg(test)]
mod tests;
