//! A whole response, body included.

use crate::http::head::Version;
use crate::http::headers::Headers;

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// HTTP version of the response.
    pub version: Version,
    /// Response headers (also [`headers`](Self::headers), and
    /// [`header`](Self::header) for one).
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of response header `name` (any case), as
    /// [`Stream::header`](crate::http::Stream::header) gives a request's.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// All response headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }
}
