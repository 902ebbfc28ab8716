//! Why a channel operation did not complete: the errors of the local
//! channels, which the cross-runtime ones ([`remote`](super::remote)) share.

use std::fmt;

/// The channel was closed; the value that could not be sent is inside.
#[derive(PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// Always false: a send fails only on a closed channel. Every error type
    /// of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a closed channel")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`Sender::try_send`](super::Sender::try_send) did not queue the value
/// (which it gives back).
#[derive(PartialEq, Eq)]
pub enum TrySendError<T> {
    /// A bounded channel is full.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// Always false: `try_send` never waits.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("channel full"),
            TrySendError::Closed(_) => f.write_str("sending on a closed channel"),
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}

/// The channel is closed and no message is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl RecvError {
    /// Always false: `recv` fails only on a closed, drained channel.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("receiving on a closed and empty channel")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::recv_timeout`](super::Receiver::recv_timeout) returned nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvTimeoutError {
    /// No message came before the deadline.
    Timeout,
    /// The channel is closed and drained.
    Closed,
}

impl RecvTimeoutError {
    /// Whether no message came before the deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(self, RecvTimeoutError::Timeout)
    }
}

impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvTimeoutError::Timeout => f.write_str("no message before the deadline"),
            RecvTimeoutError::Closed => f.write_str("channel closed and empty"),
        }
    }
}

impl std::error::Error for RecvTimeoutError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No message is queued now.
    Empty,
    /// The channel is closed and drained.
    Closed,
}

impl TryRecvError {
    /// Always false: `try_recv` never waits.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no message queued"),
            TryRecvError::Closed => f.write_str("channel closed and empty"),
        }
    }
}

impl std::error::Error for TryRecvError {}
