//! A header list: order and repeats kept, names compared without case.

use std::fmt;

use super::error::Error;

/// [`Headers::clear`] keeps the memory of a list up to this size of text.
const KEEP_TEXT: usize = 4 * 1024;

/// Headers of a request or response. Lookups ignore the case of names;
/// repeated headers are all kept, in order.
///
/// ```
/// use silly_net::http::Headers;
/// let mut h = Headers::new();
/// h.append("Set-Cookie", "a=1");
/// h.append("set-cookie", "b=2");
/// assert_eq!(h.get("SET-COOKIE"), Some("a=1"));
/// assert_eq!(h.get_all("Set-Cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
/// ```
///
/// All names and values live in one string, so a request's headers cost two
/// allocations however many there are, and none when the server reuses the list
/// for the connection's next request.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Names and values, back to back.
    text: String,
    entries: Vec<Entry>,
}

/// Where one header's name and value are in `Headers::text`: the name is
/// `name_start..value_start`, the value `value_start..value_end`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    name_start: usize,
    value_start: usize,
    value_end: usize,
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether a comma-separated header (`Connection`, `Upgrade`, ...) lists
    /// `token`, compared without case, across all its lines.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Adds a header (kept even if the name is already present).
    pub fn append(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let name_start = self.text.len();
        self.text.push_str(name.as_ref());
        let value_start = self.text.len();
        self.text.push_str(value.as_ref());
        self.entries.push(Entry {
            name_start,
            value_start,
            value_end: self.text.len(),
        });
    }

    /// Replaces every line of `name` with one `name: value`, at the end.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        let text = &self.text;
        self.entries
            .retain(|e| !text[e.name_start..e.value_start].eq_ignore_ascii_case(name));
        self.append(name, value);
    }

    /// Every `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|e| {
            (
                &self.text[e.name_start..e.value_start],
                &self.text[e.value_start..e.value_end],
            )
        })
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every header, keeping the memory for the next ones unless a
    /// large head made it large.
    pub(crate) fn clear(&mut self) {
        if self.text.capacity() > KEEP_TEXT {
            *self = Headers::default();
        } else {
            self.text.clear();
            self.entries.clear();
        }
    }
}

/// Checks a header that is about to be written: the name must be an HTTP token
/// (RFC 9110, section 5.1) and the value must hold no CR, LF or NUL, which would
/// let the value end the header and inject others.
pub(crate) fn check_outgoing(name: &str, value: &str) -> Result<(), Error> {
    if name.is_empty() || !name.bytes().all(|b| BYTE_CLASS[usize::from(b)] == TOKEN) {
        return Err(Error::InvalidHeader(name.to_owned()));
    }
    if value
        .bytes()
        .any(|b| BYTE_CLASS[usize::from(b)] == FORBIDDEN)
    {
        return Err(Error::InvalidHeader(format!("{name}: {value}")));
    }
    Ok(())
}

/// A byte that may appear in a token (header names, methods).
const TOKEN: u8 = 1;
/// A byte that must not appear in a header value.
const FORBIDDEN: u8 = 2;

/// Each byte's class, one lookup per byte: this runs over every header of
/// every response.
static BYTE_CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            class[b] = TOKEN;
        }
        b += 1;
    }
    let symbols = b"!#$%&'*+-.^_`|~";
    let mut i = 0;
    while i < symbols.len() {
        class[symbols[i] as usize] = TOKEN;
        i += 1;
    }
    class[b'\r' as usize] = FORBIDDEN;
    class[b'\n' as usize] = FORBIDDEN;
    class[0] = FORBIDDEN;
    class
};
