//! The time limits of a request: per step, and in total.

use std::time::{Duration, Instant};

use silly_runtime::time;

use crate::http::error::{Error, Phase, Result};

/// The deadline of one step of `phase` that starts now: `step` from now, or the
/// request's total `deadline` if that comes first. `Error::Timeout` if the total
/// deadline has passed already: a step whose data is at hand would otherwise
/// still succeed after it.
pub(super) fn step_deadline(
    deadline: Option<Instant>,
    step: Option<Duration>,
    phase: Phase,
) -> Result<Option<Instant>> {
    let step_by = time::deadline(step);
    if deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(Error::Timeout { phase });
    }
    Ok(earliest(deadline, step_by))
}

/// The earlier of two optional deadlines (`None` is no limit).
pub(super) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Maps an error of a step of `phase`: a connection's timeout becomes
/// [`Error::Timeout`] naming the phase; other errors stay as they are.
pub(super) fn in_phase<E: Into<Error>>(phase: Phase) -> impl Fn(E) -> Error {
    move |err| match err.into() {
        Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::Timeout { phase },
        other => other,
    }
}
