//! Builder-style setters for config structs.
//!
//! The configs are `#[non_exhaustive]`, so code outside this crate cannot build
//! them with a struct literal (`Config { x, ..Default::default() }` is E0639):
//! it starts from `default()` and chains a setter per field it changes.

/// `impl $ty { pub fn field(self, value) -> Self }` for each listed field, each
/// documented with a link to its field (whose doc states the default).
///
/// Exported (hidden) for the other crates of the workspace with configs of
/// the same kind (silly-redis): one macro, not a copy per crate.
#[doc(hidden)]
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

pub(crate) use config_setters as setters;
