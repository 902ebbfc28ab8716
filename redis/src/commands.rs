//! Shorthands for common commands on a [`Connection`] (and, through `DerefMut`,
//! a pooled one). Anything else goes through [`Connection::query`] with [`cmd`].

use crate::cmd::{cmd, ToArg};
use crate::connection::Connection;
use crate::error::Result;
use crate::value::FromValue;

impl Connection {
    /// `GET key`: `Option<Vec<u8>>` or `Option<String>` for a key that may
    /// be missing.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query) (`WRONGTYPE` for a key that is not a string).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn get<T: FromValue>(&mut self, key: impl ToArg) -> Result<T> {
        self.query(&cmd("GET").arg(key))
    }

    /// `SET key value`.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn set(&mut self, key: impl ToArg, value: impl ToArg) -> Result<()> {
        self.query(&cmd("SET").arg(key).arg(value))
    }

    /// `SET key value EX seconds`: the key expires after `seconds`.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query) (`ERR` for 0 seconds).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn set_ex(&mut self, key: impl ToArg, value: impl ToArg, seconds: u64) -> Result<()> {
        self.query(&cmd("SET").arg(key).arg(value).arg("EX").arg(seconds))
    }

    /// `DEL key`: how many keys were removed (0 or 1).
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn del(&mut self, key: impl ToArg) -> Result<i64> {
        self.query(&cmd("DEL").arg(key))
    }

    /// `EXISTS key`.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn exists(&mut self, key: impl ToArg) -> Result<bool> {
        self.query(&cmd("EXISTS").arg(key))
    }

    /// `INCRBY key by`: the new value.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query) (`ERR` for a value that is not an integer).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn incr(&mut self, key: impl ToArg, by: i64) -> Result<i64> {
        self.query(&cmd("INCRBY").arg(key).arg(by))
    }

    /// `EXPIRE key seconds`: whether the key exists (and now expires).
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn expire(&mut self, key: impl ToArg, seconds: i64) -> Result<bool> {
        self.query(&cmd("EXPIRE").arg(key).arg(seconds))
    }

    /// `PUBLISH channel message`: how many subscribers received it.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn publish(&mut self, channel: impl ToArg, message: impl ToArg) -> Result<i64> {
        self.query(&cmd("PUBLISH").arg(channel).arg(message))
    }

    /// `PING`.
    ///
    /// # Errors
    ///
    /// As [`query`](Self::query).
    ///
    /// # Interrupts
    ///
    /// As [`req`](Self::req): whole while waiting for the reply, closed
    /// while writing.
    pub fn ping(&mut self) -> Result<()> {
        self.query(&cmd("PING"))
    }
}
