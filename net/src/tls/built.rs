//! The rustls configs a TLS config has built, shared with its clones.

use std::sync::{Arc, Mutex, PoisonError};

use super::error::TlsError;

/// How many rustls configs one TLS config and its clones keep: one for each
/// setting of their public fields (an ALPN list) in use at the same time.
const KEPT: usize = 4;

/// rustls configs built from one TLS config and its clones, each under the
/// public settings that went into it. Keeping them matters beyond the cost
/// of a build: a rustls config holds the session cache, so the connections
/// of a server (or of a client) resume sessions only if they share one.
///
/// A fallible loader (`cert`, `ca_pem`) changes what every rustls config is
/// built from: it starts a new `Built`, leaving the clones made before it
/// theirs.
pub(crate) struct Built<K, T> {
    kept: Arc<Mutex<Vec<Entry<K, T>>>>,
}

/// A rustls config and the settings it was built under.
type Entry<K, T> = (K, Arc<T>);

impl<K, T> Clone for Built<K, T> {
    fn clone(&self) -> Self {
        Built {
            kept: self.kept.clone(),
        }
    }
}

impl<K, T> Default for Built<K, T> {
    fn default() -> Self {
        Built {
            kept: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

impl<K, T> Built<K, T> {
    /// The rustls config built under the settings `is_key` accepts, built
    /// now by `build` if there is none yet and kept under `key()` (the
    /// oldest of [`KEPT`] gives way). Found by a test rather than a key, so
    /// a handshake copies no settings.
    pub(crate) fn get_or_build(
        &self,
        is_key: impl Fn(&K) -> bool,
        key: impl FnOnce() -> K,
        build: impl FnOnce() -> Result<T, TlsError>,
    ) -> Result<Arc<T>, TlsError> {
        // A build that panicked left the list whole: nothing to recover.
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, built)) = kept.iter().find(|(k, _)| is_key(k)) {
            return Ok(built.clone());
        }
        let built = Arc::new(build()?);
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push((key(), built.clone()));
        Ok(built)
    }
}
