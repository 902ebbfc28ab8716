//! The backplane's settings, with their defaults.

use crate::error::{Error, Result};

/// Default [`BackplaneConfig::prefix`].
pub const DEFAULT_PREFIX: &str = "silly";
/// Default [`BackplaneConfig::max_queue`].
pub const DEFAULT_MAX_OUTBOX: usize = 4096;
/// Default [`BackplaneConfig::max_queue_bytes`]: 16 MiB.
pub const DEFAULT_MAX_OUTBOX_BYTES: usize = 16 * 1024 * 1024;

/// How a [`HubBackplane`](crate::HubBackplane) names its channels and how
/// much it holds for Redis.
///
/// ```
/// use silly_redis::BackplaneConfig;
///
/// let config = BackplaneConfig::default().prefix("chat").max_queue(1000);
/// assert_eq!(config.prefix, "chat");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BackplaneConfig {
    /// Topic `t` travels on Redis channel `PREFIX:t`. Nodes share a room
    /// when they share the server, the db-independent channel namespace
    /// (pub/sub ignores `SELECT`) and this prefix. Default
    /// [`DEFAULT_PREFIX`]; must not be empty.
    pub prefix: String,
    /// Messages waiting to be sent to Redis at most; a publish beyond it is
    /// dropped and counted. Default [`DEFAULT_MAX_OUTBOX`]; at least 1.
    pub max_queue: usize,
    /// Bytes (envelopes and channel names) waiting to be sent at most; as
    /// `max_queue`. Default [`DEFAULT_MAX_OUTBOX_BYTES`]; at least 1.
    pub max_queue_bytes: usize,
}

impl Default for BackplaneConfig {
    fn default() -> BackplaneConfig {
        BackplaneConfig {
            prefix: DEFAULT_PREFIX.into(),
            max_queue: DEFAULT_MAX_OUTBOX,
            max_queue_bytes: DEFAULT_MAX_OUTBOX_BYTES,
        }
    }
}

impl BackplaneConfig {
    /// Sets [`prefix`](Self::prefix).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets [`max_queue`](Self::max_queue).
    pub fn max_queue(mut self, max_queue: usize) -> Self {
        self.max_queue = max_queue;
        self
    }

    /// Sets [`max_queue_bytes`](Self::max_queue_bytes).
    pub fn max_queue_bytes(mut self, max_queue_bytes: usize) -> Self {
        self.max_queue_bytes = max_queue_bytes;
        self
    }

    /// `Ok` if every setting can work.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an empty prefix or a zero limit.
    pub fn check(&self) -> Result<()> {
        if self.prefix.is_empty() {
            return Err(Error::Invalid("backplane prefix must not be empty".into()));
        }
        if self.max_queue == 0 || self.max_queue_bytes == 0 {
            return Err(Error::Invalid(
                "backplane queue limits must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
