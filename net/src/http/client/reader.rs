//! A response whose body is read as it arrives.

use std::fmt;
use std::time::{Duration, Instant};

use super::address::PoolKey;
use super::deadline::{in_phase, step_deadline};
use super::pool::Pool;
use super::response::Response;
use crate::http::body::{self, Body, Dest};
use crate::http::error::{Error, Phase, Result};
use crate::http::head::Version;
use crate::http::headers::Headers;
use crate::http::wire::Wire;

/// A response whose body is read as it arrives (the streaming form). When the
/// body has been read to its end, the connection goes back to the pool.
pub struct ResponseReader<'a> {
    /// Where the connection goes once the body has been read to its end.
    pub(super) pool: &'a Pool,
    /// The client's `read_timeout`, for each read.
    pub(super) read_timeout: Option<Duration>,
    pub(super) key: PoolKey,
    pub(super) wire: Option<Wire>,
    pub(super) status: u16,
    pub(super) version: Version,
    pub(super) headers: Headers,
    pub(super) body: Body,
    pub(super) keep_alive: bool,
    /// Set when a read failed: the connection was dropped mid-body, and later
    /// reads must not pass for the end of it.
    pub(super) failed: bool,
    /// Body bytes an interrupted [`read_all`](Self::read_all) had read.
    pub(super) kept: Vec<u8>,
    /// The request's total deadline, which the body's reads count against too.
    pub(super) deadline: Option<Instant>,
}

impl fmt::Debug for ResponseReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseReader")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl ResponseReader<'_> {
    /// Status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// HTTP version of the response.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The first value of response header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// All response headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// Trailer fields of a chunked body, once read to its end.
    pub fn trailers(&self) -> &Headers {
        &self.body.trailers
    }

    /// Reads body bytes; `Ok(0)` at the end. Each read waits at most the
    /// client's `read_timeout`, and not past the request's total deadline.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] ([`Phase::Body`]), [`Error::Io`] (broken
    /// connection), [`Error::InvalidBody`], [`Error::BodyTooLarge`]. After an
    /// error the connection is closed, and every later read fails (an
    /// [`Error::Io`] of kind `NotConnected`) rather than pass for the end.
    ///
    /// # Interrupts
    ///
    /// Whole: the body's decoder keeps its place in the reader, so a read cut
    /// while it waits loses nothing and the next read continues the body.
    /// Dropping the reader before the end closes its connection (it never
    /// goes back to the pool half read).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if !self.kept.is_empty() {
            return Ok(body::take_kept(&mut self.kept, buf));
        }
        self.read_body(Dest::Buf(buf))
    }

    /// Reads the rest of the body (with what earlier calls left unread).
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes read so far stay in the reader, and the next
    /// `read_all` (or `read`) returns them first.
    pub fn read_all(&mut self) -> Result<Vec<u8>> {
        while self.read_body(Dest::Kept)? > 0 {}
        Ok(std::mem::take(&mut self.kept))
    }

    /// One read of the body into `dest`; gives the connection back to the
    /// pool at the end.
    fn read_body(&mut self, dest: Dest<'_>) -> Result<usize> {
        let Some(wire) = self.wire.as_mut() else {
            return if self.failed {
                Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "http: an earlier read of this response failed; its connection was closed",
                )))
            } else {
                Ok(0)
            };
        };
        let deadline = if self.body.is_done() {
            // The end is known: no wait, so no deadline to miss.
            Ok(None)
        } else {
            step_deadline(self.deadline, self.read_timeout, Phase::Body)
        };
        let read = deadline.and_then(|read_by| {
            match dest {
                Dest::Buf(buf) => self.body.read(wire, buf, read_by),
                Dest::Kept => self.body.read(wire, &mut self.kept, read_by),
            }
            .map_err(in_phase(Phase::Body))
        });
        match read {
            Ok(0) => {
                if let Some(wire) = self.wire.take() {
                    if self.keep_alive {
                        self.pool.checkin(self.key.clone(), wire);
                    }
                }
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(err) => {
                self.wire = None; // a broken exchange: never reuse the connection
                self.failed = true;
                Err(err)
            }
        }
    }

    /// Reads the rest of the body into a whole [`Response`].
    pub(super) fn into_response(mut self) -> Result<Response> {
        let body = self.read_all()?;
        Ok(Response {
            status: self.status,
            version: self.version,
            headers: std::mem::take(&mut self.headers),
            body,
        })
    }
}
