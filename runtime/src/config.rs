//! The one convention every config of silly-rs follows.
//!
//! A config is a `#[non_exhaustive]` struct with public fields, each documented
//! with its default. Code outside its crate cannot build it with a struct
//! literal (`Config { x, ..Default::default() }` is E0639): it starts from
//! `default()` and chains one `#[must_use]` setter per field it changes
//! ([`config_setters!`](crate::config_setters) writes them). Values are checked by
//! `fn check(&self) -> Result<(), ConfigError>`, which every entry point that
//! takes the config (`listen`, `connect_with`, `upgrade_with`, pools, hubs)
//! runs before it does anything else: an invalid value is an error there,
//! never a panic later.
//!
//! ```
//! use silly_runtime::config::ConfigError;
//!
//! #[derive(Debug, Clone)]
//! #[non_exhaustive]
//! pub struct Limits {
//!     /// The largest message in bytes; default 1 MiB, at least 1.
//!     pub max_message_bytes: usize,
//! }
//!
//! silly_runtime::config_setters!(Limits { max_message_bytes: usize });
//!
//! impl Limits {
//!     pub fn check(&self) -> Result<(), ConfigError> {
//!         if self.max_message_bytes == 0 {
//!             return Err(ConfigError::new("Limits", "max_message_bytes", "must be at least 1"));
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let limits = Limits { max_message_bytes: 1 << 20 }.max_message_bytes(0);
//! let err = limits.check().unwrap_err();
//! assert_eq!(err.field(), "max_message_bytes");
//! assert_eq!(err.to_string(), "invalid Limits.max_message_bytes: must be at least 1");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::io;

/// A config value that cannot work, found by a config's `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    config: &'static str,
    field: &'static str,
    reason: Cow<'static, str>,
}

impl ConfigError {
    /// `field` of the config type named `config` is wrong because of `reason`
    /// (a phrase that completes "invalid Config.field: ...").
    pub fn new(
        config: &'static str,
        field: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> ConfigError {
        ConfigError {
            config,
            field,
            reason: reason.into(),
        }
    }

    /// The config type's name, such as `"Config"` or `"ClientConfig"`.
    pub fn config(&self) -> &'static str {
        self.config
    }

    /// The field whose value is wrong (for a rule that ties two fields, the
    /// one named second).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Why the value cannot work.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Always false: a config error is never a timeout. Every error type of
    /// silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}.{}: {}", self.config, self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// For entry points that report `io::Error` (`tcp::listen`, `tls::connect`):
/// `InvalidInput`, with the config error as its source.
impl From<ConfigError> for io::Error {
    fn from(err: ConfigError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, err)
    }
}

/// `impl $ty { pub fn field(self, value) -> Self }` for each listed field,
/// each `#[must_use]` and documented with a link to its field (whose doc
/// states the default): the one setter style of every config in silly-rs.
///
/// See [the module docs](crate::config) for an example.
#[macro_export]
macro_rules! config_setters {
    ($ty:ty { $($field:ident: $value:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!(
                    "Sets [`", stringify!($field), "`](#structfield.", stringify!($field),
                    ") (its default is on the field).",
                )]
                #[must_use]
                pub fn $field(mut self, $field: $value) -> Self {
                    self.$field = $field;
                    self
                }
            )*
        }
    };
}
