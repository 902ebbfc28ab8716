//! The Content-Type of a file, from its extension.
//!
//! A short table of the types a web service serves, not a registry of every
//! type: a dependency such as `mime_guess` knows about a thousand, but a
//! browser needs the right type only for what it renders or runs (pages,
//! scripts, styles, images, fonts, media, wasm), and everything else is a
//! download either way. The table also says `charset=utf-8` for text, which a
//! registry of bare types does not. Anything not listed is
//! `application/octet-stream`.

/// `(extension, Content-Type)`, extensions in lower case.
const TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("webmanifest", "application/manifest+json"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("xml", "application/xml"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("ico", "image/x-icon"),
    ("bmp", "image/bmp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("wasm", "application/wasm"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tar", "application/x-tar"),
    ("mp3", "audio/mpeg"),
    ("ogg", "audio/ogg"),
    ("wav", "audio/wav"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
];

/// What a file that is in no entry of the table is sent as.
pub(crate) const DEFAULT: &str = "application/octet-stream";

/// The Content-Type for a file named `name` (the last segment of its path).
pub(crate) fn for_name(name: &str) -> &'static str {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return DEFAULT;
    };
    if stem.is_empty() {
        return DEFAULT; // `.bashrc` is a name, not an extension
    }
    TYPES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(ext))
        .map_or(DEFAULT, |&(_, ty)| ty)
}
