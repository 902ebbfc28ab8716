//! Reading the JSON the harness gets back (the loader's line, a results
//! file): every key it needs must be there with the right type. A missing
//! one is an error that names the key and where it was looked for, never a
//! silent 0.

use std::fmt;

use serde_json::Value;

/// A JSON text that does not hold what the harness needs.
#[derive(Debug)]
pub(crate) enum JsonError {
    /// Not JSON at all.
    Syntax {
        file: String,
        source: serde_json::Error,
    },
    /// A key the harness needs is absent.
    Missing {
        file: String,
        at: String,
        key: &'static str,
    },
    /// A key holds another type than the one expected.
    WrongType {
        file: String,
        at: String,
        key: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax { file, source } => write!(f, "{file}: not JSON: {source}"),
            JsonError::Missing { file, at, key } => write!(f, "{file}: {at}: no key {key:?}"),
            JsonError::WrongType {
                file,
                at,
                key,
                expected,
            } => write!(f, "{file}: {at}: {key:?} is not {expected}"),
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonError::Syntax { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A JSON text being read, and the name of where it came from (a file's
/// path, "the loader's output"), for its errors.
pub(crate) struct Doc {
    file: String,
}

/// Where the top-level object's keys are, in errors.
pub(crate) const TOP: &str = "top level";

impl Doc {
    pub(crate) fn new(file: impl Into<String>) -> Doc {
        Doc { file: file.into() }
    }

    /// Parses `text`.
    pub(crate) fn parse(&self, text: &str) -> Result<Value, JsonError> {
        serde_json::from_str(text).map_err(|source| JsonError::Syntax {
            file: self.file.clone(),
            source,
        })
    }

    /// `object[key]`, which must be there; `at` says where `object` is.
    fn get<'v>(
        &self,
        object: &'v Value,
        at: &str,
        key: &'static str,
    ) -> Result<&'v Value, JsonError> {
        object.get(key).ok_or_else(|| JsonError::Missing {
            file: self.file.clone(),
            at: at.to_owned(),
            key,
        })
    }

    fn wrong(&self, at: &str, key: &'static str, expected: &'static str) -> JsonError {
        JsonError::WrongType {
            file: self.file.clone(),
            at: at.to_owned(),
            key,
            expected,
        }
    }

    /// The number at `object[key]`.
    pub(crate) fn num(
        &self,
        object: &Value,
        at: &str,
        key: &'static str,
    ) -> Result<f64, JsonError> {
        self.get(object, at, key)?
            .as_f64()
            .ok_or_else(|| self.wrong(at, key, "a number"))
    }

    /// The string at `object[key]`.
    pub(crate) fn text<'v>(
        &self,
        object: &'v Value,
        at: &str,
        key: &'static str,
    ) -> Result<&'v str, JsonError> {
        self.get(object, at, key)?
            .as_str()
            .ok_or_else(|| self.wrong(at, key, "a string"))
    }

    /// The list at `object[key]`.
    pub(crate) fn list<'v>(
        &self,
        object: &'v Value,
        at: &str,
        key: &'static str,
    ) -> Result<&'v [Value], JsonError> {
        self.get(object, at, key)?
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.wrong(at, key, "a list"))
    }
}
