//! From a request's path to a file under the root, and no way out of it.
//!
//! Two steps. [`relative`] checks the path as text, on the loop: each segment
//! is percent-decoded on its own, so `%2f` cannot make a separator and
//! `%2e%2e` is seen as the `..` it is; `..`, a backslash, a NUL, a `/` that
//! came from decoding, and (unless allowed) a name starting with `.` refuse
//! the request. [`open`] then runs on the blocking pool: the joined path is
//! canonicalized (every symlink resolved) and must still be under the
//! canonical root, so a symlink that leads outside is refused too.
//!
//! Every refusal is a 404, as for a file that does not exist: the answer
//! says nothing about what lies outside the root or which rule fired.
//!
//! The check and the open are two steps: a symlink an attacker could swap
//! between them would get past it. The root is trusted not to be written by
//! the clients it serves (it is the application's own directory).

use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// The checked relative path, or `None` if it must be refused.
pub(crate) fn relative(raw: &str, dotfiles: bool) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for segment in raw.split('/') {
        let decoded = percent_decode_str(segment).decode_utf8().ok()?;
        match &*decoded {
            "" | "." => continue,
            ".." => return None,
            name if name.contains(['/', '\\', '\0']) => return None,
            name if name.starts_with('.') && !dotfiles => return None,
            name => path.push(name),
        }
    }
    Some(path)
}

/// What the root holds at a path.
#[derive(Debug)]
pub(crate) enum Found {
    /// A regular file, open, and its metadata (from the open handle).
    File {
        file: File,
        meta: Metadata,
        /// The file's name (the index's, for a directory), for its type.
        name: String,
    },
    /// A directory with an index file, asked for without the trailing `/`:
    /// relative links in the index would resolve against the parent.
    AddSlash,
    /// Nothing to serve: missing, refused, a directory without index, not
    /// a regular file.
    Missing,
    /// The file exists but this process may not read it.
    Forbidden,
    /// Another I/O error (too many open files, a disk error).
    Failed(io::Error),
}

/// Finds `rel` under `root` (canonical): the file, or the directory's
/// `index`. `slash`: the request's path ended with `/`. Blocking: run it on
/// the pool.
pub(crate) fn open(root: &Path, rel: &Path, index: Option<&str>, slash: bool) -> Found {
    let path = match inside(root, &root.join(rel)) {
        Ok(Some(path)) => path,
        Ok(None) => return Found::Missing,
        Err(err) => return found_error(err),
    };
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(err) => return found_error(err),
    };
    let (path, name) = if meta.is_dir() {
        let Some(index) = index else {
            return Found::Missing;
        };
        let path = match inside(root, &path.join(index)) {
            Ok(Some(path)) => path,
            Ok(None) => return Found::Missing,
            Err(err) => return found_error(err),
        };
        if !slash {
            return match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => Found::AddSlash,
                Ok(_) => Found::Missing,
                Err(err) => found_error(err),
            };
        }
        (path, index.to_owned())
    } else {
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (path, name)
    };
    // The type is checked before opening: opening a FIFO would wait for a
    // writer, holding a pool thread.
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Found::Missing,
        Err(err) => return found_error(err),
    }
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) => return found_error(err),
    };
    match file.metadata() {
        Ok(meta) if meta.is_file() => Found::File { file, meta, name },
        Ok(_) => Found::Missing,
        Err(err) => found_error(err),
    }
}

/// `path` canonicalized, if it is under `root`; `None` if a symlink leads out.
fn inside(root: &Path, path: &Path) -> io::Result<Option<PathBuf>> {
    let real = path.canonicalize()?;
    Ok(real.starts_with(root).then_some(real))
}

/// The answer for an error of a filesystem call: what means "no such file"
/// for a path a client made up (missing, a file used as a directory, a name
/// too long, a symlink loop) is [`Found::Missing`].
fn found_error(err: io::Error) -> Found {
    use nix::errno::Errno;
    match err.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::InvalidInput => Found::Missing,
        io::ErrorKind::PermissionDenied => Found::Forbidden,
        _ => match err.raw_os_error().map(Errno::from_raw) {
            Some(Errno::ENOTDIR | Errno::ENAMETOOLONG | Errno::ELOOP) => Found::Missing,
            _ => Found::Failed(err),
        },
    }
}
