//! Route patterns (`/rooms/:id/*rest`): parsed and checked once, when a route
//! is registered.

use std::fmt;

use percent_encoding::{percent_decode, percent_decode_str};

/// One segment of a pattern (the text between two `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Matches a path segment equal to this text once percent-decoded.
    Literal(String),
    /// `:name`: matches any one non-empty segment.
    Param(String),
    /// `*name`, last: matches the rest of the path, from this segment on.
    Wildcard(String),
}

/// Why a pattern was refused (the router panics with it, naming the pattern).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError(pub(crate) String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `pattern` into segments: it starts with `/`; a segment starting
/// with `:` is a parameter, with `*` a wildcard (the last segment only);
/// names are letters, digits and `_`, each used once; literals are
/// percent-decoded (so `%3A` writes a literal segment starting with `:`)
/// and hold no `?` or `#` (those never reach a path).
pub(crate) fn parse(pattern: &str) -> Result<Vec<Segment>, PatternError> {
    let Some(rest) = pattern.strip_prefix('/') else {
        return Err(PatternError("a pattern starts with '/'".into()));
    };
    let mut segments = Vec::new();
    let mut parts = rest.split('/').peekable();
    while let Some(part) = parts.next() {
        let segment = if let Some(name) = part.strip_prefix(':') {
            Segment::Param(check_name(name, ':')?.to_owned())
        } else if let Some(name) = part.strip_prefix('*') {
            if parts.peek().is_some() {
                return Err(PatternError(format!(
                    "the wildcard *{name} must be the last segment"
                )));
            }
            Segment::Wildcard(check_name(name, '*')?.to_owned())
        } else {
            if part.contains(['?', '#']) {
                return Err(PatternError(format!(
                    "the segment {part:?} holds '?' or '#', which never reach a path"
                )));
            }
            let literal = percent_decode_str(part).decode_utf8().map_err(|_| {
                PatternError(format!("the segment {part:?} is not UTF-8 once decoded"))
            })?;
            Segment::Literal(literal.into_owned())
        };
        if let Some(name) = name_of(&segment) {
            if segments.iter().any(|s| name_of(s) == Some(name)) {
                return Err(PatternError(format!(
                    "the parameter {name:?} is used twice"
                )));
            }
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// The name of a parameter or wildcard segment.
pub(crate) fn name_of(segment: &Segment) -> Option<&str> {
    match segment {
        Segment::Param(name) | Segment::Wildcard(name) => Some(name),
        Segment::Literal(_) => None,
    }
}

fn check_name(name: &str, sigil: char) -> Result<&str, PatternError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(PatternError(format!(
            "the name in {sigil}{name} must be one or more letters, digits or '_'"
        )));
    }
    Ok(name)
}

/// Whether the raw path segment `raw` is `literal` once percent-decoded
/// (without building the decoded text).
pub(crate) fn segment_is(raw: &[u8], literal: &str) -> bool {
    if position(raw, b'%').is_some() {
        percent_decode(raw).eq(literal.bytes())
    } else {
        same(raw, literal.as_bytes())
    }
}

/// Whether `method` is a token (RFC 9110, section 9: `method = token`).
pub(crate) fn valid_method(method: &str) -> bool {
    !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Where byte `byte` first is in `text`: a plain loop, since path segments
/// are short and `str::find`'s search set-up costs more than it saves on
/// them (measured: routing is on every request's path).
pub(crate) fn position(text: &[u8], byte: u8) -> Option<usize> {
    text.iter().position(|&b| b == byte)
}

/// `a == b` as a plain loop: the strings compared here (methods, path
/// segments) are a few bytes long, shorter than a `memcmp` call's cost.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}
