//! Validators of a file (ETag, Last-Modified) and the conditional request
//! headers that use them (RFC 9110, section 13).

use std::fs::Metadata;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::http::date::format_imf;
use crate::http::headers::Headers;

/// What identifies one version of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Validators {
    /// A strong entity tag from the size and the modification time to the
    /// nanosecond, quotes included: `"1f4-65a1b2c3-1d2e3f"`. A file changed
    /// in place within the clock's resolution with the same size keeps its
    /// tag; that is the price of not reading files to hash them.
    pub(crate) etag: String,
    /// Modification time in whole seconds since the epoch, if the filesystem
    /// has one after the epoch.
    pub(crate) modified: Option<u64>,
}

impl Validators {
    pub(crate) fn of(meta: &Metadata) -> Validators {
        let since_epoch = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        let (secs, nanos) = since_epoch.map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()));
        Validators {
            etag: format!("\"{:x}-{secs:x}-{nanos:x}\"", meta.len()),
            modified: since_epoch.map(|d| d.as_secs()),
        }
    }

    /// The `Last-Modified` value.
    pub(crate) fn last_modified(&self) -> Option<String> {
        self.modified.map(format_imf)
    }

    /// Whether a GET or HEAD with these request headers gets 304 Not
    /// Modified (RFC 9110, section 13.2.2, steps 3 and 4): `If-None-Match`
    /// lists our tag (weak comparison) or is `*`; without `If-None-Match`,
    /// `If-Modified-Since` is not before the modification time.
    pub(crate) fn not_modified(&self, headers: &Headers) -> bool {
        if headers.contains("if-none-match") {
            return headers
                .get_all("if-none-match")
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .any(|tag| tag == "*" || weak_eq(tag, &self.etag));
        }
        match (headers.get("if-modified-since"), self.modified) {
            (Some(since), Some(modified)) => {
                http_date(since).is_some_and(|since| modified <= since)
            }
            _ => false,
        }
    }

    /// Whether a `Range` may be honoured given `If-Range` (RFC 9110, section
    /// 13.1.5): absent, or it names this version: our tag by strong
    /// comparison, or exactly our modification date.
    pub(crate) fn range_applies(&self, headers: &Headers) -> bool {
        let Some(if_range) = headers.get("if-range").map(str::trim) else {
            return true;
        };
        if if_range.starts_with('"') || if_range.starts_with("W/") {
            return if_range == self.etag; // a weak tag never matches strongly
        }
        match (http_date(if_range), self.modified) {
            (Some(date), Some(modified)) => date == modified,
            _ => false,
        }
    }
}

/// Weak comparison of two entity tags: equal once a `W/` prefix is dropped.
fn weak_eq(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

/// An HTTP-date in any of its three formats, in seconds since the epoch.
fn http_date(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    time.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}
