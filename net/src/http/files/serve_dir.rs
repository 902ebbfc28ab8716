//! [`ServeDir`]: the files under one directory, over HTTP.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use silly_runtime::task;

use super::conditional::Validators;
use super::config::ServeDirConfig;
use super::content_type;
use super::range::{self, Ranged};
use super::resolve::{self, Found};
use super::send;
use crate::http::error::Result;
use crate::http::stream::Stream;

/// Serves the files under a directory: mount it on any path, give it the
/// part of the request path that names the file.
///
/// ```no_run
/// use silly_net::http::{self, ServeDir};
/// silly_runtime::run(|| {
///     let dir = ServeDir::new("./public").unwrap();
///     http::listen(":8080", move |s| {
///         if let Some(rest) = s.path().strip_prefix("/static/") {
///             let rest = rest.to_owned();
///             let _ = dir.serve(s, &rest);
///         } else {
///             s.reply(404, &[], b"").unwrap();
///         }
///     })
///     .unwrap();
///     silly_runtime::task::park();
/// });
/// ```
///
/// What it does for a request:
///
/// * **GET and HEAD only**: other methods get 405 with `Allow: GET, HEAD`.
///   HEAD gets the headers GET would, without the body.
/// * **No way out of the root**: `..` (also as `%2e%2e`), an encoded `/`
///   (`%2f`), a backslash, a NUL, and symlinks that resolve outside the root
///   all get 404, like a file that does not exist (nothing is said about what
///   is outside, or which rule refused it); so do names starting with `.`
///   unless [`ServeDirConfig::dotfiles`], directories without the index file,
///   and anything that is not a regular file (a FIFO, a device). A file the
///   process may not read is 403.
/// * **Content-Type** from the extension (a short table of web types, text
///   as UTF-8; others `application/octet-stream`), and
///   `X-Content-Type-Options: nosniff`.
/// * **Caching**: a strong `ETag` (size and modification time) and
///   `Last-Modified`; `If-None-Match` that lists the tag (or `*`), or else
///   `If-Modified-Since` not before the file's time, gets 304 without a
///   body. `Cache-Control` if [`ServeDirConfig::max_age`] is set.
/// * **Ranges** (GET): one byte range (`bytes=0-99`, `bytes=100-`,
///   `bytes=-100`) gets 206 with `Content-Range`; a range past the end gets
///   416 with `Content-Range: bytes */<size>`; several ranges, an unknown
///   unit or a malformed header get the whole file (200), as does an
///   `If-Range` that names another version. Every 200 says
///   `Accept-Ranges: bytes`.
/// * **Off the loop**: every filesystem call (canonicalize, metadata, open,
///   read) runs on the blocking pool
///   ([`spawn_blocking`](silly_runtime::task::spawn_blocking)); a file is sent
///   in chunks of [`ServeDirConfig::chunk_bytes`] as they are read, never
///   loaded whole.
///
/// The response carries any header queued with
/// [`Stream::add_response_header`].
#[derive(Debug, Clone)]
pub struct ServeDir {
    /// Canonical: what every resolved path must start with.
    root: Arc<Path>,
    config: ServeDirConfig,
}

impl ServeDir {
    /// The files under `root`, with the default [`ServeDirConfig`]. `root` is
    /// canonicalized once, here (on the blocking pool inside a runtime).
    ///
    /// # Errors
    ///
    /// The error of canonicalizing `root` (it does not exist, ...), or
    /// `InvalidInput` if it is not a directory.
    pub fn new(root: impl AsRef<Path>) -> io::Result<ServeDir> {
        ServeDir::new_with(root, ServeDirConfig::default())
    }

    /// [`new`](Self::new) with a config.
    ///
    /// # Errors
    ///
    /// As `new`; `InvalidInput` with the [`ConfigError`](silly_runtime::config::ConfigError)
    /// as its source for a config that [`ServeDirConfig::check`] refuses.
    pub fn new_with(root: impl AsRef<Path>, config: ServeDirConfig) -> io::Result<ServeDir> {
        config.check()?;
        let root = root.as_ref().to_path_buf();
        let root = task::spawn_blocking(move || -> io::Result<PathBuf> {
            let root = root.canonicalize()?;
            if !root.metadata()?.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("ServeDir: {} is not a directory", root.display()),
                ));
            }
            Ok(root)
        })?;
        Ok(ServeDir {
            root: root.into(),
            config,
        })
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Answers the request with the file at `relative_path` under the root:
    /// the path as it is in the request target (percent-encoded; each
    /// segment is decoded once, here), with or without a leading `/`. Every
    /// outcome is answered (200, 206, 304, 301, 403, 404, 405, 416, 500 for an
    /// I/O error such as too many open files); see [`ServeDir`].
    ///
    /// A path borrowed from `s` (a prefix stripped from [`Stream::path`], a
    /// router's parameter) is copied first: `s` is borrowed mutably here.
    ///
    /// # Errors
    ///
    /// As [`Stream::write`], or [`Error::Io`](crate::http::Error::Io) for a
    /// file that fails to read midway (the connection then closes after the
    /// handler: its body is shorter than its Content-Length).
    ///
    /// # Interrupts
    ///
    /// Closed once the head is sent: cut while a chunk is read or written,
    /// the response is left shorter than its Content-Length, so it cannot be
    /// finished, and the connection closes after the handler (cut while
    /// bytes are being written, at once, as `write`). Cut before, nothing was
    /// sent: the handler may still answer. A read already handed to the pool
    /// runs to its end there.
    pub fn serve(&self, s: &mut Stream, relative_path: &str) -> Result<()> {
        let rel = resolve::relative(relative_path, self.config.dotfiles);
        self.answer(s, rel)
    }

    /// [`serve`](Self::serve) with the whole request path
    /// ([`Stream::path`]): for a server (or a route) that serves only files.
    ///
    /// # Errors
    ///
    /// As `serve`.
    ///
    /// # Interrupts
    ///
    /// As `serve`.
    pub fn serve_path(&self, s: &mut Stream) -> Result<()> {
        let rel = resolve::relative(s.path(), self.config.dotfiles);
        self.answer(s, rel)
    }

    /// Answers for `rel`, the checked relative path (`None`: refused).
    fn answer(&self, s: &mut Stream, rel: Option<PathBuf>) -> Result<()> {
        let head = match s.method() {
            "GET" => false,
            "HEAD" => true,
            _ => return text(s, 405, &[("Allow", "GET, HEAD")], "method not allowed\n"),
        };
        let Some(rel) = rel else {
            return not_found(s);
        };
        let slash = s.path().ends_with('/');
        let (root, index) = (self.root.clone(), self.config.index.clone());
        let found =
            task::spawn_blocking(move || resolve::open(&root, &rel, index.as_deref(), slash));
        let (file, meta, name) = match found {
            Found::File { file, meta, name } => (file, meta, name),
            Found::AddSlash => return add_slash(s),
            Found::Missing => return not_found(s),
            Found::Forbidden => return text(s, 403, &[], "forbidden\n"),
            Found::Failed(err) => {
                log::warn!("ServeDir: {err}");
                return text(s, 500, &[], "internal server error\n");
            }
        };
        let len = meta.len();
        let validators = Validators::of(&meta);
        let last_modified = validators.last_modified();
        let max_age = self
            .config
            .max_age
            .map(|d| format!("public, max-age={}", d.as_secs()));
        let mut headers: Vec<(&str, &str)> = vec![
            ("Content-Type", content_type::for_name(&name)),
            ("X-Content-Type-Options", "nosniff"),
            ("ETag", &validators.etag),
        ];
        if let Some(date) = &last_modified {
            headers.push(("Last-Modified", date));
        }
        if let Some(cache) = &max_age {
            headers.push(("Cache-Control", cache));
        }
        if validators.not_modified(s.headers()) {
            // RFC 9110, section 15.4.5: the validators and Cache-Control of
            // the 200, no body and no content headers.
            headers.retain(|(name, _)| !name.starts_with("Content-") && !name.starts_with("X-"));
            s.respond(304, &headers)?;
            return s.close(b"");
        }
        let ranged = match s.header("range") {
            Some(value) if !head && validators.range_applies(s.headers()) => {
                range::parse(value, len)
            }
            _ => Ranged::Whole,
        };
        let (status, start, count, content_range) = match ranged {
            Ranged::Whole => (200, 0, len, None),
            Ranged::Part { start, end } => (
                206,
                start,
                end - start + 1,
                Some(format!("bytes {start}-{end}/{len}")),
            ),
            Ranged::Unsatisfiable => {
                let unsatisfied = format!("bytes */{len}");
                headers.retain(|(name, _)| *name != "Content-Type");
                headers.push(("Content-Range", &unsatisfied));
                return s.reply(416, &headers, b"");
            }
        };
        let length = count.to_string();
        headers.push(("Content-Length", &length));
        match &content_range {
            Some(range) => headers.push(("Content-Range", range)),
            None => headers.push(("Accept-Ranges", "bytes")),
        }
        s.respond(status, &headers)?;
        if !head {
            send::body(s, file, start, count, self.config.chunk_bytes)?;
        }
        s.close(b"")
    }
}

/// 404, the answer for everything that is refused or missing.
fn not_found(s: &mut Stream) -> Result<()> {
    text(s, 404, &[], "not found\n")
}

/// 301 to the request's path with a `/` added (and its query), so that a
/// directory's index resolves its relative links under it. A path starting
/// with `//` gets 404 instead: `Location: //host/` would send the client to
/// another host.
fn add_slash(s: &mut Stream) -> Result<()> {
    let path = s.path();
    if path.starts_with("//") || !path.starts_with('/') {
        return not_found(s);
    }
    let location = match s.target().split_once('?') {
        Some((path, query)) => format!("{path}/?{query}"),
        None => format!("{path}/"),
    };
    text(s, 301, &[("Location", &location)], "moved\n")
}

/// A short plain-text answer with `headers`.
fn text(s: &mut Stream, status: u16, headers: &[(&str, &str)], body: &str) -> Result<()> {
    let mut all = vec![("Content-Type", "text/plain; charset=utf-8")];
    all.extend_from_slice(headers);
    s.reply(status, &all, body.as_bytes())
}
