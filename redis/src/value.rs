//! Replies as typed values, and their conversion to Rust types.

use crate::error::{Error, Result, ServerError};

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// The null bulk string or null array (`GET` of a missing key).
    Nil,
    /// An integer reply (`INCR`, `DEL`, `EXISTS`).
    Int(i64),
    /// A bulk string: binary-safe bytes (`GET`).
    Data(Vec<u8>),
    /// A simple string (`OK`, `PONG`, `QUEUED`).
    Status(String),
    /// An array reply (`MGET`, `KEYS`, `EXEC`).
    Array(Vec<Value>),
    /// An error inside an array (a failed command in `EXEC`'s reply). An error
    /// reply at the top level is [`Error::Server`] instead.
    Error(ServerError),
}

impl Value {
    /// Whether this is [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Converts to `T`; see [`FromValue`].
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when the reply does not fit `T`.
    pub fn convert<T: FromValue>(self) -> Result<T> {
        T::from_value(self)
    }

    fn describe(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Int(_) => "an integer",
            Value::Data(_) => "a bulk string",
            Value::Status(_) => "a status",
            Value::Array(_) => "an array",
            Value::Error(_) => "an error",
        }
    }
}

fn mismatch<T>(expected: &str, got: &Value) -> Result<T> {
    Err(Error::Type(format!(
        "expected {expected}, got {}",
        got.describe()
    )))
}

/// Conversion of a reply to a Rust type, as [`Connection::query`] uses it.
///
/// | type | accepts |
/// | --- | --- |
/// | [`Value`] | anything |
/// | `Vec<u8>` | bulk string, status |
/// | `String` | bulk string (UTF-8), status |
/// | `i64` | integer, bulk string or status holding a decimal integer |
/// | `bool` | integer (non-zero is true), `OK` status |
/// | `()` | anything (the reply is dropped) |
/// | `Option<T>` | nil as `None`, else `T` |
/// | `Vec<T>` | array of `T`s (nil as empty) |
///
/// [`Connection::query`]: crate::Connection::query
pub trait FromValue: Sized {
    /// Converts `value`.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when the reply does not fit (an error inside an array
    /// becomes [`Error::Server`]).
    fn from_value(value: Value) -> Result<Self>;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

impl FromValue for () {
    fn from_value(_: Value) -> Result<Self> {
        Ok(())
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Data(bytes) => Ok(bytes),
            Value::Status(text) => Ok(text.into_bytes()),
            Value::Error(e) => Err(Error::Server(e)),
            other => mismatch("bytes", &other),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Data(bytes) => String::from_utf8(bytes)
                .map_err(|_| Error::Type("expected UTF-8 text, got other bytes".into())),
            Value::Status(text) => Ok(text),
            Value::Error(e) => Err(Error::Server(e)),
            other => mismatch("a string", &other),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self> {
        let text = match &value {
            Value::Int(n) => return Ok(*n),
            Value::Data(bytes) => std::str::from_utf8(bytes).ok(),
            Value::Status(text) => Some(text.as_str()),
            Value::Error(e) => return Err(Error::Server(e.clone())),
            _ => None,
        };
        match text.and_then(|t| t.parse().ok()) {
            Some(n) => Ok(n),
            None => mismatch("an integer", &value),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Int(n) => Ok(n != 0),
            Value::Status(ref s) if s == "OK" => Ok(true),
            Value::Error(e) => Err(Error::Server(e)),
            other => mismatch("a boolean (integer or OK)", &other),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_value).collect(),
            Value::Nil => Ok(Vec::new()),
            Value::Error(e) => Err(Error::Server(e)),
            other => mismatch("an array", &other),
        }
    }
}

#[cfg(test)]
mod tests;
