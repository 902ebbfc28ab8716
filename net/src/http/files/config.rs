//! Settings of a [`ServeDir`](super::ServeDir).

use std::time::Duration;

use silly_runtime::config::ConfigError;
use silly_runtime::config_setters as setters;

/// How a [`ServeDir`](super::ServeDir) serves its files. Start from
/// `ServeDirConfig::default()` and change fields with the setters of the same
/// name:
///
/// ```
/// use silly_net::http::ServeDirConfig;
/// use std::time::Duration;
/// let config = ServeDirConfig::default()
///     .index(None)
///     .max_age(Some(Duration::from_secs(3600)));
/// assert_eq!(config.index, None, "a directory is then always 404");
/// assert_eq!(config.chunk_bytes, 64 * 1024, "the default");
/// assert!(config.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeDirConfig {
    /// The file served for a directory. Default `Some("index.html")`; `None`:
    /// directories are 404. A plain file name (no `/`, `\`, NUL, not `.` or
    /// `..`). A directory asked for without its trailing `/` is redirected
    /// (301) to it, so the index's relative links work.
    pub index: Option<String>,
    /// `Cache-Control: public, max-age=<seconds>` on every file. Default
    /// `None`: no `Cache-Control`, so caches revalidate with the ETag or the
    /// date (a 304 costs a round trip, not the file).
    pub max_age: Option<Duration>,
    /// Whether names starting with `.` are served (`.well-known`, or a
    /// `.env` or `.git` that should not be). Default `false`: 404.
    pub dotfiles: bool,
    /// Bytes read from the file per call on the blocking pool, and so the
    /// memory a download holds. Default 64 KiB, at least 1.
    pub chunk_bytes: usize,
}

impl Default for ServeDirConfig {
    fn default() -> Self {
        ServeDirConfig {
            index: Some("index.html".to_owned()),
            max_age: None,
            dotfiles: false,
            chunk_bytes: 64 * 1024,
        }
    }
}

setters!(ServeDirConfig {
    index: Option<String>,
    max_age: Option<Duration>,
    dotfiles: bool,
    chunk_bytes: usize,
});

impl ServeDirConfig {
    /// Checks the settings (see each field for its range).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of its range.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Some(index) = &self.index {
            if index.is_empty()
                || index == "."
                || index == ".."
                || index.contains(['/', '\\', '\0'])
            {
                return Err(ConfigError::new(
                    "ServeDirConfig",
                    "index",
                    "must be a plain file name (no '/', '\\' or NUL, not '.' or '..')",
                ));
            }
        }
        if self.chunk_bytes == 0 {
            return Err(ConfigError::new(
                "ServeDirConfig",
                "chunk_bytes",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
