//! Parsing request and response heads (httparse) and deciding how their bodies
//! are framed (RFC 9112, section 6). No I/O here.

use std::mem::MaybeUninit;
use std::ops::Range;

use super::authority::valid_authority;
use super::error::ResponseError;
use super::headers::Headers;

/// Headers parsed on the stack before falling back to a heap array.
const STACK_HEADERS: usize = 32;

/// Most header fields the client accepts in a response (documented on
/// [`ResponseError::TooManyHeaders`]).
const MAX_RESPONSE_HEADERS: usize = 128;

/// HTTP version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    /// HTTP/1.0
    Http10,
    /// HTTP/1.1
    #[default]
    Http11,
}

impl Version {
    fn from_minor(minor: u8) -> Version {
        if minor == 0 {
            Version::Http10
        } else {
            Version::Http11
        }
    }

    /// `"HTTP/1.0"` or `"HTTP/1.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// A request line and headers. The server keeps one per connection and parses
/// each request into it, so its strings are allocated once. The method and
/// target are places in the headers' text, which holds the whole head.
#[derive(Debug, Default)]
pub(crate) struct RequestHead {
    method: Range<u32>,
    target: Range<u32>,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
    /// Which of the headers the server acts on are present.
    pub(crate) seen: Seen,
    /// Bytes the head took, blank line included.
    pub(crate) len: usize,
}

/// Which headers that decide framing and connection handling a request has,
/// noted while parsing, so a request without them (most) is not searched for
/// each one again.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) connection: bool,
    pub(crate) expect: bool,
    pub(crate) content_length: bool,
    pub(crate) transfer_encoding: bool,
    /// How many `Host` lines (two or more are refused, so it stops counting).
    pub(crate) hosts: u8,
    /// Whether a `Host` value is not a valid authority.
    pub(crate) bad_host: bool,
}

impl RequestHead {
    pub(crate) fn method(&self) -> &str {
        self.headers.text(self.method.clone())
    }

    pub(crate) fn target(&self) -> &str {
        self.headers.text(self.target.clone())
    }

    /// The method as bytes: for comparisons (the router's), which need no
    /// UTF-8 check.
    pub(crate) fn method_bytes(&self) -> &[u8] {
        self.headers.text_bytes(self.method.clone())
    }

    /// The target as bytes, for the router, as [`method_bytes`](Self::method_bytes).
    pub(crate) fn target_bytes(&self) -> &[u8] {
        self.headers.text_bytes(self.target.clone())
    }

    /// Whether the method is `HEAD` (the server drops response bodies then).
    pub(crate) fn is_head(&self) -> bool {
        self.method_bytes() == b"HEAD"
    }
}

impl Seen {
    /// Notes the header `name: value`. Only `Host`'s value is looked at:
    /// checked here, while it is at hand, instead of searched for later.
    fn note(&mut self, name: &str, value: &[u8]) {
        let (flag, wanted) = match name.len() {
            4 => {
                // `Host` in any case, as one compare: OR-ing 0x20 lowers
                // ASCII letters, and no other byte becomes one of these.
                let word = u32::from_le_bytes(name.as_bytes().try_into().unwrap_or_default());
                if word | 0x2020_2020 == u32::from_le_bytes(*b"host") {
                    self.hosts = self.hosts.saturating_add(1);
                    self.bad_host |= !valid_authority(value);
                }
                return;
            }
            6 => (&mut self.expect, "expect"),
            10 => (&mut self.connection, "connection"),
            14 => (&mut self.content_length, "content-length"),
            17 => (&mut self.transfer_encoding, "transfer-encoding"),
            _ => return,
        };
        *flag |= name.eq_ignore_ascii_case(wanted);
    }
}

/// A status line and headers.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: u16,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
    pub(crate) len: usize,
}

/// Why a request head was refused, with the status that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// 400: not HTTP, or a framing conflict (request smuggling attempts).
    Malformed(&'static str),
    /// 431: header section too large, or too many headers.
    TooLarge,
    /// 501: a transfer coding we do not implement.
    NotImplemented,
    /// 505: not HTTP/1.0 or HTTP/1.1.
    Version,
}

impl HeadError {
    pub(crate) fn status(self) -> u16 {
        match self {
            HeadError::Malformed(_) => 400,
            HeadError::TooLarge => 431,
            HeadError::NotImplemented => 501,
            HeadError::Version => 505,
        }
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            HeadError::Malformed(why) => why,
            HeadError::TooLarge => "request header fields too large",
            HeadError::NotImplemented => "transfer coding not implemented",
            HeadError::Version => "HTTP version not supported",
        }
    }
}

/// Checks the request's `Host` (RFC 9112, section 3.2) and brings an
/// absolute-form target (`GET http://example.com/a HTTP/1.1`) to origin form:
/// the target becomes its path and query (`/a`) and `Host` its authority, so
/// handlers route every request alike (section 3.2.2: the target's authority
/// wins over a received `Host`). Refused, with 400: an HTTP/1.1 request
/// without `Host` (HTTP/1.0 may omit it), more than one `Host` line, a `Host`
/// that is not a valid `uri-host [ ":" port ]` (RFC 9110, section 7.2), and an
/// absolute `http`/`https` target whose authority is empty, invalid or carries
/// user info.
#[inline]
pub(crate) fn check_host(head: &mut RequestHead) -> Result<(), HeadError> {
    match head.seen.hosts {
        0 if head.version == Version::Http11 => {
            return Err(HeadError::Malformed("missing Host header"))
        }
        0 | 1 => {}
        _ => return Err(HeadError::Malformed("more than one Host header")),
    }
    if head.seen.bad_host {
        return Err(HeadError::Malformed("invalid Host header"));
    }
    if head.target_bytes().first() != Some(&b'/') {
        to_origin_form(head)?;
    }
    Ok(())
}

/// See [`check_host`]: an `http://` or `https://` target is split into its
/// authority, which replaces `Host`, and the path and query, which stay the
/// target. Other forms (`*`, a CONNECT authority) are left as they are.
#[cold]
#[inline(never)]
fn to_origin_form(head: &mut RequestHead) -> Result<(), HeadError> {
    let target = head.target();
    let Some(scheme_end) = target.find("://") else {
        return Ok(());
    };
    let scheme = &target[..scheme_end];
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let rest = &target[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    // An http URI needs a host (RFC 9110, section 4.2.1); user info (`@`) is
    // not in the authority grammar, so it is refused too (section 4.2.4).
    if authority.is_empty() || !valid_authority(authority.as_bytes()) {
        return Err(HeadError::Malformed(
            "invalid authority in the request target",
        ));
    }
    let path = &rest[authority_end..];
    let origin_form = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let authority = authority.to_owned();
    head.headers.set("Host", &authority);
    head.seen.hosts = 1;
    head.target = head.headers.push_text(&origin_form);
    Ok(())
}

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Empty,
    Length(u64),
    Chunked,
    /// Until the connection closes (responses only).
    UntilClose,
}

/// A header value as text: as sent when it is UTF-8 (nearly always), else with
/// the invalid bytes (obs-text) replaced.
fn header_text(value: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(value),
    }
}

/// Parses a request head from the start of `buf`: `Ok(None)` if more bytes are
/// needed. `max_bytes` and `max_headers` bound the head.
#[cfg(any(test, fuzzing))]
pub(crate) fn parse_request(
    buf: &[u8],
    max_bytes: usize,
    max_headers: usize,
) -> Result<Option<RequestHead>, HeadError> {
    let mut head = RequestHead::default();
    Ok(parse_request_into(buf, max_bytes, max_headers, &mut head)?.then_some(head))
}

/// Parses a request head from the start of `buf` into `head`, reusing its
/// memory: `Ok(false)` if more bytes are needed. `max_bytes` and `max_headers`
/// bound the head.
#[inline(never)]
pub(crate) fn parse_request_into(
    buf: &[u8],
    max_bytes: usize,
    max_headers: usize,
    head: &mut RequestHead,
) -> Result<bool, HeadError> {
    // Uninitialised slots: httparse writes only the ones it fills, so a short
    // head does not pay for clearing 32 of them.
    let mut stack = [MaybeUninit::<httparse::Header<'_>>::uninit(); STACK_HEADERS];
    let mut heap;
    let slots = if max_headers <= STACK_HEADERS {
        &mut stack[..max_headers]
    } else {
        &mut stack[..]
    };
    let mut request = httparse::Request::new(&mut []);
    let parsed = match request.parse_with_uninit_headers(buf, slots) {
        Err(httparse::Error::TooManyHeaders) if max_headers > STACK_HEADERS => {
            heap = vec![MaybeUninit::uninit(); max_headers];
            request = httparse::Request::new(&mut []);
            request.parse_with_uninit_headers(buf, &mut heap)
        }
        other => other,
    };
    match parsed {
        Ok(httparse::Status::Complete(len)) => {
            if len > max_bytes {
                return Err(HeadError::TooLarge);
            }
            head.version = Version::from_minor(request.version.unwrap_or(1));
            head.seen = Seen::default();
            let method = request.method.unwrap_or_default();
            let target = request.path.unwrap_or_default();
            let headers = &mut head.headers;
            if headers.load_head(&buf[..len]) {
                // Nearly every head: one copy, the rest are places in it.
                head.method = place(buf, method.as_bytes());
                head.target = place(buf, target.as_bytes());
                for h in request.headers.iter() {
                    head.seen.note(h.name, h.value);
                    headers.push_entry(place(buf, h.name.as_bytes()), place(buf, h.value));
                }
            } else {
                // Not ASCII (obs-text in a value): each part is copied, values
                // made valid UTF-8.
                head.method = headers.push_text(method);
                head.target = headers.push_text(target);
                for h in request.headers.iter() {
                    head.seen.note(h.name, h.value);
                    let name = headers.push_text(h.name);
                    let value = headers.push_text(&header_text(h.value));
                    headers.push_entry(name, value);
                }
            }
            head.len = len;
            Ok(true)
        }
        Ok(httparse::Status::Partial) if buf.len() > max_bytes => Err(HeadError::TooLarge),
        Ok(httparse::Status::Partial) => Ok(false),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::TooLarge),
        Err(httparse::Error::Version) => Err(HeadError::Version),
        Err(_) => Err(HeadError::Malformed("malformed request head")),
    }
}

/// Where `part`, a slice of `buf` (as httparse returns them), is in `buf`.
fn place(buf: &[u8], part: &[u8]) -> Range<u32> {
    let start = (part.as_ptr() as usize - buf.as_ptr() as usize) as u32;
    start..start + part.len() as u32
}

/// Parses a response head; `Ok(None)` if more bytes are needed. `max_bytes`
/// bounds the head.
pub(crate) fn parse_response(
    buf: &[u8],
    max_bytes: usize,
) -> Result<Option<ResponseHead>, ResponseError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) if len > max_bytes => {
            Err(ResponseError::HeadTooLarge(max_bytes))
        }
        Ok(httparse::Status::Complete(len)) => {
            let mut headers = Headers::new();
            for h in response.headers.iter() {
                headers.append(h.name, header_text(h.value));
            }
            Ok(Some(ResponseHead {
                status: response.code.unwrap_or_default(),
                version: Version::from_minor(response.version.unwrap_or(1)),
                headers,
                len,
            }))
        }
        Ok(httparse::Status::Partial) if buf.len() > max_bytes => {
            Err(ResponseError::HeadTooLarge(max_bytes))
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(ResponseError::TooManyHeaders),
        Err(e) => Err(ResponseError::Malformed(match e {
            httparse::Error::Version => "invalid HTTP version",
            httparse::Error::Status => "invalid status",
            httparse::Error::HeaderName => "invalid header name",
            httparse::Error::HeaderValue => "invalid header value",
            httparse::Error::NewLine => "invalid line ending",
            _ => "invalid token",
        })),
    }
}

/// Content-Length values, all the same and all digits, as one length.
fn content_length(headers: &Headers) -> Result<Option<u64>, HeadError> {
    let mut length = None;
    for value in headers.get_all("content-length").flat_map(|v| v.split(',')) {
        let value = value.trim();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HeadError::Malformed("invalid Content-Length"));
        }
        let n: u64 = value
            .parse()
            .map_err(|_| HeadError::Malformed("Content-Length too large"))?;
        if length.is_some_and(|l| l != n) {
            return Err(HeadError::Malformed("conflicting Content-Length values"));
        }
        length = Some(n);
    }
    Ok(length)
}

/// The transfer codings, lowercased, in order.
fn transfer_codings(headers: &Headers) -> Vec<String> {
    headers
        .get_all("transfer-encoding")
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// How a request's body is framed (RFC 9112, section 6.3). Refuses the
/// ambiguous cases used for request smuggling: Transfer-Encoding together with
/// Content-Length, `chunked` not last (or twice), conflicting lengths.
pub(crate) fn request_body(head: &RequestHead) -> Result<BodyKind, HeadError> {
    let headers = &head.headers;
    if head.seen.transfer_encoding {
        let codings = transfer_codings(headers);
        if head.seen.content_length {
            return Err(HeadError::Malformed(
                "both Transfer-Encoding and Content-Length",
            ));
        }
        if codings.last().map(String::as_str) != Some("chunked") {
            return Err(HeadError::Malformed(
                "Transfer-Encoding must end with chunked",
            ));
        }
        if codings.iter().filter(|c| *c == "chunked").count() > 1 {
            return Err(HeadError::Malformed("chunked applied twice"));
        }
        if codings.len() > 1 {
            return Err(HeadError::NotImplemented);
        }
        return Ok(BodyKind::Chunked);
    }
    if !head.seen.content_length {
        return Ok(BodyKind::Empty);
    }
    match content_length(headers)? {
        Some(0) | None => Ok(BodyKind::Empty),
        Some(n) => Ok(BodyKind::Length(n)),
    }
}

/// How a response's body is framed, given the request method and status.
pub(crate) fn response_body(
    method: &str,
    status: u16,
    headers: &Headers,
) -> Result<BodyKind, ResponseError> {
    if method.eq_ignore_ascii_case("HEAD")
        || (100..200).contains(&status)
        || status == 204
        || status == 304
    {
        return Ok(BodyKind::Empty);
    }
    if headers.contains("transfer-encoding") {
        let codings = transfer_codings(headers);
        return Ok(if codings.last().map(String::as_str) == Some("chunked") {
            BodyKind::Chunked
        } else {
            BodyKind::UntilClose
        });
    }
    match content_length(headers) {
        Ok(Some(0)) => Ok(BodyKind::Empty),
        Ok(Some(n)) => Ok(BodyKind::Length(n)),
        Ok(None) => Ok(BodyKind::UntilClose),
        Err(e) => Err(ResponseError::InvalidContentLength(e.reason())),
    }
}

/// Defines `reason_phrase` and `status_line` from one list, so the two agree.
macro_rules! statuses {
    ($($code:literal $reason:literal),* $(,)?) => {
        /// The standard reason phrase of a status code ("" for unknown codes).
        pub(crate) fn reason_phrase(status: u16) -> &'static str {
            match status {
                $($code => $reason,)*
                _ => "",
            }
        }

        /// The whole HTTP/1.1 status line of a known status code, CRLF included:
        /// written with one copy per response.
        pub(crate) fn status_line(status: u16) -> Option<&'static str> {
            match status {
                $($code => Some(concat!("HTTP/1.1 ", $code, " ", $reason, "\r\n")),)*
                _ => None,
            }
        }
    };
}

statuses! {
    100 "Continue",
    101 "Switching Protocols",
    200 "OK",
    201 "Created",
    202 "Accepted",
    204 "No Content",
    206 "Partial Content",
    301 "Moved Permanently",
    302 "Found",
    303 "See Other",
    304 "Not Modified",
    307 "Temporary Redirect",
    308 "Permanent Redirect",
    400 "Bad Request",
    401 "Unauthorized",
    403 "Forbidden",
    404 "Not Found",
    405 "Method Not Allowed",
    408 "Request Timeout",
    411 "Length Required",
    413 "Content Too Large",
    414 "URI Too Long",
    415 "Unsupported Media Type",
    426 "Upgrade Required",
    429 "Too Many Requests",
    431 "Request Header Fields Too Large",
    500 "Internal Server Error",
    501 "Not Implemented",
    502 "Bad Gateway",
    503 "Service Unavailable",
    504 "Gateway Timeout",
    505 "HTTP Version Not Supported",
}

#[cfg(test)]
mod tests;
