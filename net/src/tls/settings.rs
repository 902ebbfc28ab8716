//! What the server and client configs share: the handshake timeout's default
//! and the rules of their plain settings.

use std::time::Duration;

use silly_runtime::config::ConfigError;

/// Default limit on how long a handshake may take: 10 seconds. A peer that has
/// not finished by then (a slow or stalled client) gets its connection closed.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest ALPN protocol name (RFC 7301, 3.1: "opaque ProtocolName<1..2^8-1>").
const MAX_ALPN_NAME_BYTES: usize = 255;

/// The rules of `handshake_timeout` and `alpn` in the config type `config`.
pub(crate) fn check_common(
    config: &'static str,
    handshake_timeout: Option<Duration>,
    alpn: &[Vec<u8>],
) -> Result<(), ConfigError> {
    if handshake_timeout == Some(Duration::ZERO) {
        return Err(ConfigError::new(
            config,
            "handshake_timeout",
            "must be more than zero (None turns it off)",
        ));
    }
    // RFC 7301, 3.1: "Empty strings MUST NOT be included".
    if alpn
        .iter()
        .any(|name| name.is_empty() || name.len() > MAX_ALPN_NAME_BYTES)
    {
        return Err(ConfigError::new(
            config,
            "alpn",
            "each protocol name must be 1 to 255 bytes (RFC 7301)",
        ));
    }
    Ok(())
}
