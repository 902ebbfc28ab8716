//! The `Range` request header, for single byte ranges (RFC 9110, section 14).

/// What to send for a GET with a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ranged {
    /// The whole file, 200: no usable range (another unit, a syntax error,
    /// or several ranges, which this server answers whole rather than as
    /// `multipart/byteranges`, as RFC 9110 section 14.2 allows).
    Whole,
    /// Bytes `start..=end`, 206.
    Part { start: u64, end: u64 },
    /// No byte of the range is in the file, 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// The answer to `Range: value` for a file of `len` bytes.
pub(crate) fn parse(value: &str, len: u64) -> Ranged {
    let value = value.trim();
    let Some(unit_end) = value.find('=') else {
        return Ranged::Whole;
    };
    if !value[..unit_end].trim().eq_ignore_ascii_case("bytes") {
        return Ranged::Whole; // "MUST ignore a range unit it does not understand"
    }
    let mut specs = value[unit_end + 1..]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return Ranged::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Ranged::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // "-n": the last n bytes.
        let Some(n) = number(last) else {
            return Ranged::Whole;
        };
        if n == 0 || len == 0 {
            return Ranged::Unsatisfiable;
        }
        return Ranged::Part {
            start: len.saturating_sub(n),
            end: len - 1,
        };
    }
    let Some(start) = number(first) else {
        return Ranged::Whole;
    };
    let end = if last.is_empty() {
        None
    } else {
        match number(last) {
            Some(end) if end >= start => Some(end),
            _ => return Ranged::Whole, // "first-pos > last-pos" is invalid
        }
    };
    if start >= len {
        return Ranged::Unsatisfiable;
    }
    Ranged::Part {
        start,
        end: end.map_or(len - 1, |end| end.min(len - 1)),
    }
}

/// A run of ASCII digits (no sign, no spaces) as a number.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
