//! Writing a response head: what the handler's own headers say, how the
//! server frames the body, the bytes of the head, and the head written last on
//! this thread, copied whole when the next response has the same one.
//!
//! Most servers answer most requests with the same status and headers (a
//! hello, an API's `200` with its `Content-Type`), so the last head is kept
//! with what it was made from. When the next response is made from the same
//! things (compared byte for byte: status, every header name and value with
//! its length, the body length, the connection's state) and the `Date` line
//! has not turned, its bytes are copied instead of checked and written again:
//! equal input gives equal output, so nothing a check would refuse can pass.

use std::cell::RefCell;
use std::time::Instant;

use silly_runtime::time::loop_now;

use super::date;
use super::error::{Error, Result};
use super::head::{reason_phrase, status_line, Version};
use super::headers::check_outgoing;

/// A head longer than this, or with more headers, is not kept: comparing it
/// would cost more than it saves, and the thread would hold its memory.
const MAX_KEPT_BYTES: usize = 1024;
const MAX_KEPT_HEADERS: usize = 16;

/// Room reserved for a response head before it is written (status line, a few
/// headers, Date), so the appends that build it do not grow the buffer one by
/// one.
const HEAD_ESTIMATE: usize = 256;

/// How the response body is delimited, once the head is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sending {
    /// HEAD, 1xx, 204, 304: body bytes are dropped.
    NoBody,
    Length(u64),
    Chunked,
    /// HTTP/1.0 without a length: the connection closes at the end.
    UntilClose,
    /// 101: the handler takes the connection.
    Upgrade,
}

/// Everything a response head's bytes depend on, besides the date.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadInputs<'a> {
    pub(crate) status: u16,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// The `Content-Length` the server adds (a whole body's length).
    pub(crate) length: Option<u64>,
    /// Whether the connection stays open, as known before the handler's
    /// headers are read (the request asked for it, no shutdown).
    pub(crate) keep_alive: bool,
    /// A `HEAD` request: the body is dropped.
    pub(crate) head_only: bool,
    pub(crate) version: Version,
}

/// What a written head decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Head {
    pub(crate) sending: Sending,
    /// Whether the connection stays open after this response.
    pub(crate) keep_alive: bool,
}

/// Appends the head of a response made from `inputs` to `out`; nothing is
/// appended on error.
///
/// # Errors
///
/// [`Error::InvalidHeader`] for a name that is not a token, a value with CR,
/// LF or NUL, or a `Content-Length` that is not a number.
pub(crate) fn write_head(inputs: &HeadInputs<'_>, out: &mut Vec<u8>) -> Result<Head> {
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(head) = last.copy_if_same(inputs, out) {
            return Ok(head);
        }
        let start = out.len();
        let (head, until) = write_new(inputs, out)?;
        last.keep(inputs, head, until, &out[start..]);
        Ok(head)
    })
}

/// Checks the headers, decides the framing and writes the head; returns also
/// when its `Date` line stops being true (`None`: it has none).
fn write_new(inputs: &HeadInputs<'_>, out: &mut Vec<u8>) -> Result<(Head, Option<Instant>)> {
    let &HeadInputs {
        status,
        headers,
        length,
        head_only,
        version,
        ..
    } = inputs;
    let given = Given::scan(headers)?;
    let mut keep_alive = inputs.keep_alive && !given.close;
    let sending = if status == 101 {
        Sending::Upgrade
    } else if head_only || (100..200).contains(&status) || status == 204 || status == 304 {
        Sending::NoBody
    } else if let Some(n) = given.content_length.or(length) {
        Sending::Length(n)
    } else if given.chunked || version == Version::Http11 {
        Sending::Chunked
    } else {
        keep_alive = false;
        Sending::UntilClose
    };
    out.reserve(HEAD_ESTIMATE);
    push_status_line(out, status);
    for &(name, value) in headers {
        push_header(out, name.as_bytes(), value.as_bytes());
    }
    // The handler's own Content-Length, if it gave one, is the only one.
    if let (Some(n), None) = (length, given.content_length) {
        out.extend_from_slice(b"Content-Length: ");
        push_decimal(out, n);
        out.extend_from_slice(b"\r\n");
    }
    let until = if given.date {
        None
    } else {
        Some(date::push_header_line(out))
    };
    if sending == Sending::Chunked && !given.chunked {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
    }
    if !given.connection && sending != Sending::Upgrade {
        if !keep_alive {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if version == Version::Http10 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    Ok((
        Head {
            sending,
            keep_alive,
        },
        until,
    ))
}

thread_local! {
    static LAST: RefCell<Last> = const { RefCell::new(Last::EMPTY) };
}

/// The head written last on this thread and what it was made from.
struct Last {
    /// Whether the fields below hold a head.
    full: bool,
    status: u16,
    length: Option<u64>,
    keep_alive: bool,
    head_only: bool,
    version: Version,
    /// Each header's name and value length, in order.
    lens: Vec<(usize, usize)>,
    /// Where the first header line starts in `bytes`.
    headers_at: usize,
    /// When its `Date` line stops being true (`None`: it has none).
    until: Option<Instant>,
    head: Head,
    bytes: Vec<u8>,
}

impl Last {
    const EMPTY: Last = Last {
        full: false,
        status: 0,
        length: None,
        keep_alive: false,
        head_only: false,
        version: Version::Http11,
        lens: Vec::new(),
        headers_at: 0,
        until: None,
        head: Head {
            sending: Sending::NoBody,
            keep_alive: false,
        },
        bytes: Vec::new(),
    };

    /// Appends the kept head to `out` if `inputs` would make the same one now.
    fn copy_if_same(&self, inputs: &HeadInputs<'_>, out: &mut Vec<u8>) -> Option<Head> {
        let same = self.full
            && self.status == inputs.status
            && self.length == inputs.length
            && self.keep_alive == inputs.keep_alive
            && self.head_only == inputs.head_only
            && self.version == inputs.version
            && self.same_headers(inputs.headers)
            && self.until.is_none_or(|until| loop_now() < until);
        if !same {
            return None;
        }
        out.extend_from_slice(&self.bytes);
        Some(self.head)
    }

    /// Whether `headers` are the kept head's, name by name and value by value.
    fn same_headers(&self, headers: &[(&str, &str)]) -> bool {
        if headers.len() != self.lens.len() {
            return false;
        }
        let mut at = self.headers_at;
        for (&(name, value), &(name_len, value_len)) in headers.iter().zip(&self.lens) {
            if name.len() != name_len || value.len() != value_len {
                return false;
            }
            let line = &self.bytes[at..at + name_len + 2 + value_len];
            if &line[..name_len] != name.as_bytes() || &line[name_len + 2..] != value.as_bytes() {
                return false;
            }
            at += name_len + 2 + value_len + 2;
        }
        true
    }

    /// Keeps `bytes`, the head just written from `inputs`, unless it is large.
    fn keep(&mut self, inputs: &HeadInputs<'_>, head: Head, until: Option<Instant>, bytes: &[u8]) {
        self.full = false;
        if bytes.len() > MAX_KEPT_BYTES || inputs.headers.len() > MAX_KEPT_HEADERS {
            return;
        }
        self.status = inputs.status;
        self.length = inputs.length;
        self.keep_alive = inputs.keep_alive;
        self.head_only = inputs.head_only;
        self.version = inputs.version;
        self.lens.clear();
        self.lens
            .extend(inputs.headers.iter().map(|(n, v)| (n.len(), v.len())));
        // The status line ends at the first CRLF; the headers follow it.
        self.headers_at = bytes
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(bytes.len(), |end| end + 2);
        self.until = until;
        self.head = head;
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.full = true;
    }
}

/// What the handler's own headers say about the response the server frames.
#[derive(Default)]
struct Given {
    content_length: Option<u64>,
    chunked: bool,
    date: bool,
    connection: bool,
    /// `Connection: close`.
    close: bool,
}

impl Given {
    /// Checks every header ([`check_outgoing`]) and notes the ones the server
    /// acts on. Told apart by length first: most headers are none of them.
    fn scan(headers: &[(&str, &str)]) -> Result<Given> {
        let mut given = Given::default();
        for &(name, value) in headers {
            check_outgoing(name, value)?;
            match name.len() {
                14 if name.eq_ignore_ascii_case("content-length") => {
                    given.content_length = Some(
                        value
                            .trim()
                            .parse::<u64>()
                            .map_err(|_| Error::InvalidHeader(format!("{name}: {value}")))?,
                    );
                }
                17 if name.eq_ignore_ascii_case("transfer-encoding") => {
                    given.chunked = value.to_ascii_lowercase().trim_end().ends_with("chunked");
                }
                4 if name.eq_ignore_ascii_case("date") => given.date = true,
                10 if name.eq_ignore_ascii_case("connection") => {
                    given.connection = true;
                    given.close |= value
                        .split(',')
                        .any(|t| t.trim().eq_ignore_ascii_case("close"));
                }
                _ => {}
            }
        }
        Ok(given)
    }
}

/// Appends `HTTP/1.1 200 OK\r\n` for `status` (100..=999, three digits): a
/// whole static line for known codes.
fn push_status_line(out: &mut Vec<u8>, status: u16) {
    if let Some(line) = status_line(status) {
        out.extend_from_slice(line.as_bytes());
        return;
    }
    let digit = |n: u16| b'0' + (n % 10) as u8;
    out.extend_from_slice(&[
        b'H',
        b'T',
        b'T',
        b'P',
        b'/',
        b'1',
        b'.',
        b'1',
        b' ',
        digit(status / 100),
        digit(status / 10),
        digit(status),
        b' ',
    ]);
    out.extend_from_slice(reason_phrase(status).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    // Most bodies of small responses: one or two stores, no copy call.
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `name: value\r\n`.
fn push_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests;
