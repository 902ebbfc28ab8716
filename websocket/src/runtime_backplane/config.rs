//! The settings of a [`RuntimeBackplane`](crate::RuntimeBackplane).

use silly_runtime::config::ConfigError;

/// Settings of a [`RuntimeBackplane`](crate::RuntimeBackplane), built with
/// its setters (which check nothing:
/// [`RuntimeBackplane::with_config`](crate::RuntimeBackplane::with_config)
/// runs [`check`](Self::check)).
///
/// ```
/// use silly_websocket::RuntimeBackplaneConfig;
///
/// let config = RuntimeBackplaneConfig::default().max_queue_bytes(1 << 20);
/// assert!(config.check().is_ok());
/// assert!(config.max_queue_bytes(0).check().is_err());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RuntimeBackplaneConfig {
    /// Bytes of messages from the other runtimes that may wait for one
    /// runtime's hub (each message counts its topic, its payload and 64
    /// bytes), at least 1. Default 64 MiB. A batch that would go over it
    /// is not queued for that runtime; its messages are counted as
    /// dropped (see [the design](crate::RuntimeBackplane#a-runtime-that-falls-behind)).
    pub max_queue_bytes: usize,
}

impl Default for RuntimeBackplaneConfig {
    fn default() -> Self {
        RuntimeBackplaneConfig {
            max_queue_bytes: 64 * 1024 * 1024,
        }
    }
}

silly_runtime::config_setters!(RuntimeBackplaneConfig {
    max_queue_bytes: usize,
});

impl RuntimeBackplaneConfig {
    /// Checks the settings, as
    /// [`RuntimeBackplane::with_config`](crate::RuntimeBackplane::with_config)
    /// does.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for a `max_queue_bytes` of 0.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.max_queue_bytes == 0 {
            return Err(ConfigError::new(
                "RuntimeBackplaneConfig",
                "max_queue_bytes",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
