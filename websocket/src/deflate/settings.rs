//! The public settings of permessage-deflate.

use silly_runtime::config::ConfigError;

/// How compression contexts are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextMode {
    /// No context takeover either way (`server_no_context_takeover` and
    /// `client_no_context_takeover`): every message is compressed on its own,
    /// by a compressor and decompressor shared by all the connections of a
    /// runtime. An idle connection holds no compression memory; the ratio is
    /// lower for small messages, which cannot refer to earlier ones.
    Shared,
    /// Context takeover: each connection keeps its own compressor and
    /// decompressor (created at its first compressed message) for the best
    /// ratio. Memory per active connection is bounded by `window_bits`: zlib's
    /// compressor takes 2^(bits + 2) bytes plus 128 KiB (its memory level is
    /// 8, which flate2 does not let us change): 256 KiB at 15 bits, 132 KiB
    /// at 10; a decompressor 2^bits plus about 7 KiB. Measured: about 310 KB
    /// of RSS per active connection at 15 bits, the idle connection before its
    /// first message as in shared mode.
    PerConnection,
}

/// permessage-deflate (RFC 7692) settings, for [`Config::compression`](crate::Config::compression).
///
/// Setters check nothing: [`check`](Self::check) does, and
/// [`Config::check`](crate::Config::check) runs it for every entry point
/// that takes the config.
///
/// ```
/// use silly_websocket::{Compression, Config};
///
/// // One line: compression with the shared (memory-free) contexts.
/// let config = Config::default().compression(Some(Compression::shared()));
/// // Or per-connection contexts, smaller windows, messages from 256 bytes.
/// let tuned = Compression::per_connection().window_bits(12).threshold(256);
/// assert!(tuned.check().is_ok());
/// assert!(Compression::shared().level(10).check().is_err());
/// # let _ = config;
/// ```
///
/// # Defaults
///
/// - `mode`: as chosen by [`shared`](Self::shared) or
///   [`per_connection`](Self::per_connection).
/// - `level`: 1, zlib's fastest: on text such as JSON it gets most of the gain
///   of level 6 for a fraction of the CPU.
/// - `window_bits`: 15 (32 KiB, the largest). In per-connection mode it bounds
///   our compressor's window and, when the peer allows it, the peer's.
/// - `threshold`: 64: shorter messages are sent uncompressed (RSV1 clear),
///   where deflate's own overhead outweighs the gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Compression {
    /// Shared or per-connection contexts.
    pub mode: ContextMode,
    /// Compression level, 0 (none) to 9 (best). Default 1.
    pub level: u32,
    /// Largest LZ77 window, as a power of two, 9 to 15. Default 15.
    pub window_bits: u8,
    /// Messages shorter than this are sent uncompressed. Default 64.
    pub threshold: usize,
}

impl Compression {
    /// Shared contexts ([`ContextMode::Shared`]), with the default settings.
    pub const fn shared() -> Compression {
        Compression {
            mode: ContextMode::Shared,
            level: 1,
            window_bits: 15,
            threshold: 64,
        }
    }

    /// Per-connection contexts ([`ContextMode::PerConnection`]), with the
    /// default settings.
    pub const fn per_connection() -> Compression {
        Compression {
            mode: ContextMode::PerConnection,
            ..Compression::shared()
        }
    }

    /// Checks the fields, as [`Config::check`](crate::Config::check) does.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for a `level` over 9, or `window_bits` outside 9
    /// to 15 (8 is valid in RFC 7692, but zlib cannot compress with a
    /// 256-byte window).
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.level > 9 {
            return Err(ConfigError::new("Compression", "level", "is 0 to 9"));
        }
        if !(9..=15).contains(&self.window_bits) {
            return Err(ConfigError::new("Compression", "window_bits", "is 9 to 15"));
        }
        Ok(())
    }
}

silly_runtime::config_setters!(Compression {
    mode: ContextMode,
    level: u32,
    window_bits: u8,
    threshold: usize,
});
