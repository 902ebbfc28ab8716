//! JSON request and response bodies with serde (feature `json`):
//! [`Stream::read_json`], [`Stream::read_json_limit`], [`Stream::reply_json`],
//! and [`JsonError`], which knows the status to answer with.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::body::Dest;
use super::error::Error;
use super::stream::{Response, Stream};

/// Why a JSON body could not be read (or a value sent); [`status`](Self::status)
/// is the answer the client should get, and [`respond`](Self::respond) sends it.
///
/// ```
/// use silly_net::http::{self, JsonError};
/// #[derive(serde::Deserialize)]
/// struct Message { text: String }
/// fn handler(s: &mut http::Stream) {
///     let message: Message = match s.read_json() {
///         Ok(m) => m,
///         // 415, 400 or 413, with a short plain-text reason.
///         Err(err) => return err.respond(s).unwrap_or(()),
///     };
///     s.reply_json(200, &serde_json::json!({ "length": message.text.len() })).unwrap();
/// }
/// # let _ = handler;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum JsonError {
    /// The request's Content-Type is not JSON (`application/json`, with or
    /// without parameters, or a `+json` type), or there is none: 415.
    UnsupportedMediaType {
        /// The Content-Type the request had.
        content_type: Option<String>,
    },
    /// The body is not JSON (a syntax error, or it ends early): 400.
    Syntax(serde_json::Error),
    /// The body is JSON of another shape than the type asked for (a missing
    /// field, a string for a number): 400.
    Shape(serde_json::Error),
    /// The body is larger than the limit of
    /// [`read_json_limit`](Stream::read_json_limit), or the server's
    /// [`max_body_bytes`](super::Limits::max_body_bytes): 413. Nothing past
    /// the limit was read; the connection closes after this response.
    TooLarge {
        /// The limit that was passed.
        max_bytes: usize,
    },
    /// Reading the body failed (a timeout, the client went away, broken
    /// chunk framing): [`status`](Self::status) says 408 for a timeout,
    /// else 400. Also the error of the reply [`reply_json`](Stream::reply_json)
    /// sends. It is the [`source`](std::error::Error::source).
    Body(Error),
    /// The value could not be serialized ([`reply_json`](Stream::reply_json)
    /// of a map with non-string keys, a `Serialize` impl that fails): 500,
    /// and nothing was sent.
    Serialize(serde_json::Error),
}

impl JsonError {
    /// The status to answer with: 415, 400, 413, 408 or 500 (see each variant).
    pub fn status(&self) -> u16 {
        match self {
            JsonError::UnsupportedMediaType { .. } => 415,
            JsonError::Syntax(_) | JsonError::Shape(_) => 400,
            JsonError::TooLarge { .. } => 413,
            JsonError::Body(err) if err.is_timeout() => 408,
            JsonError::Body(Error::BodyTooLarge) => 413,
            JsonError::Body(_) => 400,
            JsonError::Serialize(_) => 500,
        }
    }

    /// Whether reading the body timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, JsonError::Body(err) if err.is_timeout())
    }

    /// Answers the request with [`status`](Self::status) and this error's
    /// message as plain text (serde's says where the JSON went wrong: line
    /// and column). Does nothing if a response was already started (the
    /// server answered 413 itself for a body past its limit). The connection
    /// closes after it unless the whole body was read.
    ///
    /// # Errors
    ///
    /// As [`Stream::reply`].
    ///
    /// # Interrupts
    ///
    /// As [`Stream::reply`]: closed.
    pub fn respond(&self, s: &mut Stream) -> Result<(), Error> {
        if s.response != Response::NotStarted {
            return Ok(());
        }
        if !s.body.is_done() {
            // The rest of the body is not worth reading to keep the connection.
            s.keep_alive = false;
        }
        let text = format!("{self}\n");
        s.reply(
            self.status(),
            &[("Content-Type", "text/plain; charset=utf-8")],
            text.as_bytes(),
        )
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::UnsupportedMediaType {
                content_type: Some(ty),
            } => write!(f, "expected Content-Type application/json, got {ty}"),
            JsonError::UnsupportedMediaType { content_type: None } => {
                f.write_str("expected Content-Type application/json, got none")
            }
            JsonError::Syntax(err) => write!(f, "malformed JSON: {err}"),
            JsonError::Shape(err) => write!(f, "unexpected JSON: {err}"),
            JsonError::TooLarge { max_bytes } => {
                write!(f, "JSON body larger than {max_bytes} bytes")
            }
            JsonError::Body(err) => write!(f, "reading the JSON body: {err}"),
            JsonError::Serialize(err) => write!(f, "serializing JSON: {err}"),
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonError::Syntax(err) | JsonError::Shape(err) | JsonError::Serialize(err) => Some(err),
            JsonError::Body(err) => Some(err),
            JsonError::UnsupportedMediaType { .. } | JsonError::TooLarge { .. } => None,
        }
    }
}

/// Whether a Content-Type value is JSON: `application/json` or
/// `application/<anything>+json`, parameters (`charset=utf-8`) allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || subtype.len() > 5
                && subtype.is_char_boundary(subtype.len() - 5)
                && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json"))
}

#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
impl Stream {
    /// Reads the request body as JSON into a `T`, up to the server's
    /// [`max_body_bytes`](super::Limits::max_body_bytes) (8 MiB unless
    /// set). See [`JsonError`] for an example.
    ///
    /// # Errors
    ///
    /// [`JsonError`]: 415 for a Content-Type that is not JSON (the body is
    /// not read), 400 for malformed JSON or the wrong shape, 413 past the
    /// limit, or the body's read error; [`JsonError::respond`] answers it.
    ///
    /// # Interrupts
    ///
    /// Whole, as [`read_all`](Self::read_all): the bytes read so far stay in
    /// the stream, and the next `read_json` (or `read_all`) continues.
    pub fn read_json<T: DeserializeOwned>(&mut self) -> Result<T, JsonError> {
        self.read_json_limit(usize::MAX)
    }

    /// [`read_json`](Self::read_json) with a smaller limit for this body:
    /// past `max_bytes` (announced by Content-Length, or as it arrives), it
    /// stops reading and fails with [`JsonError::TooLarge`]. The server's
    /// `max_body_bytes` still applies.
    ///
    /// ```
    /// use silly_net::http;
    /// fn handler(s: &mut http::Stream) {
    ///     match s.read_json_limit::<Vec<u32>>(4096) {
    ///         Ok(numbers) => s.reply_json(200, &numbers.iter().sum::<u32>()).unwrap(),
    ///         Err(err) => err.respond(s).unwrap_or(()),
    ///     }
    /// }
    /// # let _ = handler;
    /// ```
    ///
    /// # Errors
    ///
    /// As `read_json`.
    ///
    /// # Interrupts
    ///
    /// As `read_json`: whole.
    pub fn read_json_limit<T: DeserializeOwned>(
        &mut self,
        max_bytes: usize,
    ) -> Result<T, JsonError> {
        match self.header("content-type") {
            Some(ty) if is_json(ty) => {}
            other => {
                return Err(JsonError::UnsupportedMediaType {
                    content_type: other.map(str::to_owned),
                })
            }
        }
        let announced = self
            .header("content-length")
            .and_then(|n| n.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > max_bytes as u64) {
            return Err(JsonError::TooLarge { max_bytes });
        }
        // Into the stream's own buffer (as read_all), so an interrupted read
        // loses nothing.
        loop {
            match self.read_body(Dest::Kept) {
                Ok(0) => break,
                Ok(_) if self.kept.len() > max_bytes => {
                    return Err(JsonError::TooLarge { max_bytes })
                }
                Ok(_) => {}
                Err(Error::BodyTooLarge) => {
                    return Err(JsonError::TooLarge {
                        max_bytes: self.body.limit(),
                    })
                }
                Err(err) => return Err(JsonError::Body(err)),
            }
        }
        let body = std::mem::take(&mut self.kept);
        serde_json::from_slice(&body).map_err(|err| match err.classify() {
            serde_json::error::Category::Data => JsonError::Shape(err),
            _ => JsonError::Syntax(err),
        })
    }

    /// Sends a whole response: `status`, `Content-Type: application/json`
    /// (and the headers queued with
    /// [`add_response_header`](Self::add_response_header)), `value` as JSON.
    ///
    /// # Errors
    ///
    /// [`JsonError::Serialize`] if `value` cannot be serialized (nothing is
    /// sent); [`JsonError::Body`] with the error of [`reply`](Self::reply).
    ///
    /// # Interrupts
    ///
    /// As [`reply`](Self::reply): closed.
    pub fn reply_json<T: Serialize + ?Sized>(
        &mut self,
        status: u16,
        value: &T,
    ) -> Result<(), JsonError> {
        let body = serde_json::to_vec(value).map_err(JsonError::Serialize)?;
        self.reply(status, &[("Content-Type", "application/json")], &body)
            .map_err(JsonError::Body)
    }
}
