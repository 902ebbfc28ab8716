//! The backplane's settings, with their defaults.

use silly_runtime::config::ConfigError;

/// Default [`BackplaneConfig::prefix`].
pub const DEFAULT_PREFIX: &str = "silly";
/// Default [`BackplaneConfig::max_queue`].
pub const DEFAULT_MAX_QUEUE: usize = 4096;
/// Default [`BackplaneConfig::max_queue_bytes`]: 16 MiB.
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 16 * 1024 * 1024;

/// How a [`HubBackplane`](crate::HubBackplane) names its channels and how
/// much it holds for Redis.
///
/// ```
/// use silly_redis::BackplaneConfig;
///
/// let config = BackplaneConfig::default().prefix("chat".into()).max_queue(1000);
/// assert!(config.check().is_ok());
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
    /// dropped and counted. Default [`DEFAULT_MAX_QUEUE`]; at least 1.
    pub max_queue: usize,
    /// Bytes (envelopes and channel names) waiting to be sent at most; as
    /// `max_queue`. Default [`DEFAULT_MAX_QUEUE_BYTES`]; at least 1.
    pub max_queue_bytes: usize,
}

impl Default for BackplaneConfig {
    fn default() -> BackplaneConfig {
        BackplaneConfig {
            prefix: DEFAULT_PREFIX.into(),
            max_queue: DEFAULT_MAX_QUEUE,
            max_queue_bytes: DEFAULT_MAX_QUEUE_BYTES,
        }
    }
}

silly_runtime::config_setters!(BackplaneConfig {
    prefix: String,
    max_queue: usize,
    max_queue_bytes: usize,
});

impl BackplaneConfig {
    /// `Ok` if every setting can work;
    /// [`HubBackplane::attach`](crate::HubBackplane::attach) runs it first.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the field, for an empty prefix or a zero
    /// limit.
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason| Err(ConfigError::new("BackplaneConfig", field, reason));
        if self.prefix.is_empty() {
            return invalid("prefix", "must not be empty");
        }
        if self.max_queue == 0 {
            return invalid("max_queue", "must be at least 1");
        }
        if self.max_queue_bytes == 0 {
            return invalid("max_queue_bytes", "must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
