//! Path parameters of the matched route, kept in the connection's
//! [`Stream`](crate::http::Stream) and reused request after request.

use std::ops::Range;

use percent_encoding::percent_decode;

use super::pattern;

/// The parameters of one match: names and values back to back in one
/// string, spans into it. Both buffers keep their capacity from one request
/// to the next, so a connection's routing allocates only while its largest
/// match so far grows.
#[derive(Debug, Default)]
pub(crate) struct Params {
    text: String,
    spans: Vec<Span>,
}

/// One parameter. While a route is being matched, `value` is a range of the
/// raw path; [`Params::decode`] turns it into a range of `text`.
#[derive(Debug, Clone)]
struct Span {
    name: Range<usize>,
    value: Range<usize>,
}

/// A parameter's decoded value is not UTF-8 (`%FF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotUtf8;

impl Params {
    /// Forgets the last request's parameters (keeps the buffers).
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// Notes parameter `name` with the raw value `path[value]`.
    pub(crate) fn push(&mut self, name: &str, value: Range<usize>) {
        let start = self.text.len();
        self.text.push_str(name);
        self.spans.push(Span {
            name: start..self.text.len(),
            value,
        });
    }

    /// Takes back the last [`push`](Self::push) (a branch of the match that
    /// did not lead to a route).
    pub(crate) fn pop(&mut self) {
        if let Some(span) = self.spans.pop() {
            self.text.truncate(span.name.start);
        }
    }

    /// Copies each pushed value out of `path`, percent-decoded. Values are
    /// checked as UTF-8 (after decoding, if they hold a `%`): `%FF` gives `Err`, and the values are
    /// then left unset (empty).
    #[inline]
    pub(crate) fn decode(&mut self, path: &[u8]) -> Result<(), NotUtf8> {
        if self.spans.is_empty() {
            return Ok(()); // most routes: no call below
        }
        self.decode_values(path)
    }

    fn decode_values(&mut self, path: &[u8]) -> Result<(), NotUtf8> {
        for i in 0..self.spans.len() {
            let raw = &path[self.spans[i].value.clone()];
            let start = self.text.len();
            if pattern::position(raw, b'%').is_none() {
                // As sent: checked here, for the values only.
                let Ok(raw) = std::str::from_utf8(raw) else {
                    self.spans.clear();
                    return Err(NotUtf8);
                };
                self.text.push_str(raw);
            } else {
                // Decoded straight into `text`'s own buffer, which is then
                // checked: no temporary string for the value.
                let mut bytes = std::mem::take(&mut self.text).into_bytes();
                bytes.extend(percent_decode(raw));
                match String::from_utf8(bytes) {
                    Ok(text) => self.text = text,
                    Err(err) => {
                        let mut bytes = err.into_bytes();
                        bytes.truncate(start);
                        self.text = String::from_utf8(bytes).unwrap_or_default();
                        self.spans.clear();
                        return Err(NotUtf8);
                    }
                }
            }
            self.spans[i].value = start..self.text.len();
        }
        Ok(())
    }

    /// The value of parameter `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|&(n, _)| n == name).map(|(_, v)| v)
    }

    /// `(name, value)` pairs in the pattern's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        // `get`, not indexing: a span is only read once decoded, and even a
        // broken one must not panic in a handler.
        let text = |r: &Range<usize>| self.text.get(r.clone()).unwrap_or_default();
        self.spans
            .iter()
            .map(move |s| (text(&s.name), text(&s.value)))
    }
}
