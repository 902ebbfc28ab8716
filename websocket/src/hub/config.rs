//! The hub's settings: how much may wait for a subscriber, and what happens
//! to one that does not keep up.

use silly_runtime::config::ConfigError;

/// Default [`HubConfig::max_queue`]: messages waiting for one subscriber.
pub const DEFAULT_MAX_QUEUE: usize = 64;

/// Default [`HubConfig::max_queue_bytes`]: bytes waiting for one subscriber.
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 16 * 1024 * 1024;

/// What the hub does with a subscriber found too slow (see
/// [`Hub`](crate::Hub#slow-subscribers)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SlowPolicy {
    /// Drop the client: its queue is dropped, it is unsubscribed from every
    /// topic, and it is closed with 1008 (Policy Violation, "too slow"). The
    /// default: a client that misses messages silently is usually worse off
    /// than one that knows to reconnect.
    #[default]
    DropClient,
    /// Drop the oldest waiting messages down to the bounds, and count them
    /// ([`HubStats::dropped_messages`](crate::HubStats::dropped_messages));
    /// the client stays subscribed. For feeds where only the latest value
    /// matters. A socket that takes nothing for its write timeout is still
    /// dropped (its connection aborted).
    DropMessages,
}

/// Settings of a [`Hub`](crate::Hub), built with its setters (which check
/// nothing: [`Hub::with_config`](crate::Hub::with_config) runs
/// [`check`](Self::check)).
///
/// # Defaults
///
/// - `max_queue`: 64 messages ([`DEFAULT_MAX_QUEUE`])
/// - `max_queue_bytes`: 16 MiB ([`DEFAULT_MAX_QUEUE_BYTES`])
/// - `slow`: [`SlowPolicy::DropClient`]
///
/// How long a subscriber's socket may take nothing at all is the socket's
/// own write timeout ([`Config::write_timeout`](crate::Config::write_timeout),
/// 30 s by default).
///
/// ```
/// use silly_websocket::{HubConfig, SlowPolicy};
///
/// let config = HubConfig::default()
///     .max_queue(256)
///     .slow(SlowPolicy::DropMessages);
/// assert!(config.check().is_ok());
/// assert_eq!(config.max_queue, 256);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HubConfig {
    /// Messages that may wait for one subscriber whose socket has stopped
    /// taking data, at least 1 (default 64).
    pub max_queue: usize,
    /// Bytes of frames that may wait for such a subscriber, at least 1
    /// (default 16 MiB).
    pub max_queue_bytes: usize,
    /// What to do with a subscriber found too slow (default
    /// [`SlowPolicy::DropClient`]).
    pub slow: SlowPolicy,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            max_queue: DEFAULT_MAX_QUEUE,
            max_queue_bytes: DEFAULT_MAX_QUEUE_BYTES,
            slow: SlowPolicy::DropClient,
        }
    }
}

silly_runtime::config_setters!(HubConfig {
    max_queue: usize,
    max_queue_bytes: usize,
    slow: SlowPolicy,
});

impl HubConfig {
    /// Checks the settings, as [`Hub::with_config`](crate::Hub::with_config)
    /// does.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for a bound of 0.
    pub fn check(&self) -> Result<(), ConfigError> {
        for (field, value) in [
            ("max_queue", self.max_queue),
            ("max_queue_bytes", self.max_queue_bytes),
        ] {
            if value == 0 {
                return Err(ConfigError::new("HubConfig", field, "must be at least 1"));
            }
        }
        Ok(())
    }
}
