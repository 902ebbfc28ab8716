//! A header list: order and repeats kept, names compared without case.

use std::fmt;
use std::ops::Range;

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
/// for the connection's next request. A request's list holds the whole head as
/// it arrived (one copy), its headers as places in
/// it: nothing is copied per header.
#[derive(Clone, Default)]
pub struct Headers {
    /// Names and values (for a request, the whole head, request line included).
    /// Bytes, but UTF-8 at every place an entry or [`text`](Self::text) names:
    /// everything put in is a `&str` or ASCII ([`load_head`](Self::load_head)),
    /// so reading a place back as `&str` never fails; it is checked then, for
    /// just the part read, instead of for every byte of every request.
    text: Vec<u8>,
    entries: Vec<Entry>,
}

/// Where one header's name and value are in `Headers::text`. `u32`: a head is
/// far below 4 GiB (the server's limit bounds it), and 16 bytes an entry keep
/// the list small.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    name_start: u32,
    name_end: u32,
    value_start: u32,
    value_end: u32,
}

/// Equal when they hold the same headers in the same order, wherever their
/// text came from.
impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

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
        self.entries
            .iter()
            .find(|e| self.is_named(e, name))
            .map(|e| self.str(e.value_start, e.value_end))
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |e| self.is_named(e, name))
            .map(|e| self.str(e.value_start, e.value_end))
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
        let name = self.push_text(name.as_ref());
        let value = self.push_text(value.as_ref());
        self.push_entry(name, value);
    }

    /// Replaces every line of `name` with one `name: value`, at the end.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        let text = &self.text;
        self.entries.retain(|e| {
            !text[e.name_start as usize..e.name_end as usize].eq_ignore_ascii_case(name.as_bytes())
        });
        self.append(name, value);
    }

    /// Makes `head` (a message head as received) this list's text, with no
    /// headers yet: [`push_entry`](Self::push_entry) then names them by their
    /// places in it, and [`text`](Self::text) reads other parts (the request
    /// line). One copy for the whole head instead of one per name and value.
    /// `false`, with nothing loaded, unless `head` is ASCII (nearly every
    /// head is: an ASCII check is much cheaper than UTF-8 validation).
    pub(crate) fn load_head(&mut self, head: &[u8]) -> bool {
        self.clear();
        if !head.is_ascii() {
            return false;
        }
        self.text.extend_from_slice(head);
        true
    }

    /// Appends `part` to the text (for a header or a rewritten request target)
    /// and returns where it is.
    pub(crate) fn push_text(&mut self, part: &str) -> Range<u32> {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(part.as_bytes());
        start..self.text.len() as u32
    }

    /// Adds the header whose name and value are at these places in the text.
    pub(crate) fn push_entry(&mut self, name: Range<u32>, value: Range<u32>) {
        self.entries.push(Entry {
            name_start: name.start,
            name_end: name.end,
            value_start: value.start,
            value_end: value.end,
        });
    }

    /// The text at `range` (from [`push_text`](Self::push_text) or a place in
    /// a [loaded head](Self::load_head)).
    pub(crate) fn text(&self, range: Range<u32>) -> &str {
        self.str(range.start, range.end)
    }

    fn is_named(&self, entry: &Entry, name: &str) -> bool {
        self.bytes(entry.name_start, entry.name_end)
            .eq_ignore_ascii_case(name.as_bytes())
    }

    /// The text at `range` as bytes: for comparisons, which need no UTF-8
    /// check.
    pub(crate) fn text_bytes(&self, range: Range<u32>) -> &[u8] {
        self.bytes(range.start, range.end)
    }

    fn bytes(&self, start: u32, end: u32) -> &[u8] {
        &self.text[start as usize..end as usize]
    }

    /// A place of the text as `&str`: always UTF-8 (see the `text` field), so
    /// the empty fallback is never taken.
    fn str(&self, start: u32, end: u32) -> &str {
        std::str::from_utf8(self.bytes(start, end)).unwrap_or_default()
    }

    /// Every `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|e| {
            (
                self.str(e.name_start, e.name_end),
                self.str(e.value_start, e.value_end),
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
#[inline]
pub(crate) fn check_outgoing(name: &str, value: &str) -> Result<(), Error> {
    if !is_token(name.as_bytes()) {
        return Err(Error::InvalidHeader(name.to_owned()));
    }
    if !is_clean_value(value.as_bytes()) {
        return Err(Error::InvalidHeader(format!("{name}: {value}")));
    }
    Ok(())
}

/// Whether `name` is a non-empty token. Every byte's class is AND-ed in, with no
/// branch per byte: names are short and nearly always valid, so stopping early
/// saves nothing.
fn is_token(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .fold(TOKEN, |class, &b| class & BYTE_CLASS[usize::from(b)])
            == TOKEN
}

/// Whether `value` holds no CR, LF or NUL. These are all below 0x0e, as are
/// few other bytes, so eight bytes at a time are first asked only whether one
/// of them is that low (a word operation); a word that has one is then looked at
/// byte by byte.
fn is_clean_value(value: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let forbidden = |b: &u8| BYTE_CLASS[usize::from(*b)] == FORBIDDEN;
    let mut words = value.chunks_exact(8);
    for word in &mut words {
        let bytes: [u8; 8] = word.try_into().unwrap_or_default();
        let x = u64::from_ne_bytes(bytes);
        // Some byte is below 0x0e (exact for any bound up to 0x80).
        let has_low = x.wrapping_sub(ONES * 0x0e) & !x & HIGHS != 0;
        if has_low && word.iter().any(forbidden) {
            return false;
        }
    }
    !words.remainder().iter().any(forbidden)
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

#[cfg(test)]
mod tests;
