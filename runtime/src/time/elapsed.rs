//! The error of a wait whose deadline passed.

use std::fmt;
use std::io;

/// The work given to [`timeout`](super::timeout()) was still blocked at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl Elapsed {
    /// Always true: the one way a timed wait of this crate fails is its
    /// deadline. Every error type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        true
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}
