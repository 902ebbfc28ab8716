//! A file's bytes to the response, read on the blocking pool a chunk at a
//! time and written as they come: a file of any size holds one chunk of
//! memory, and the loop never waits on the disk.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use silly_runtime::task;

use crate::http::error::{Error, Result};
use crate::http::stream::Stream;

/// Writes bytes `start..start + len` of `file` as the response body (whose
/// head is sent), reading `chunk` bytes per call on the blocking pool.
///
/// # Errors
///
/// A read error, or the file ending before `len` bytes (it shrank since its
/// size was sent): [`Error::Io`], and the connection closes after the
/// handler, the body being shorter than its Content-Length. A write error as
/// [`Stream::write`].
pub(crate) fn body(s: &mut Stream, file: File, start: u64, len: u64, chunk: usize) -> Result<()> {
    // Both go to the pool thread and come back with each read.
    let mut file = file;
    let mut buf = Vec::new();
    let mut offset = start;
    let end = start + len;
    while offset < end {
        let want = usize::try_from(end - offset).map_or(chunk, |left| left.min(chunk));
        let (f, mut b) = (file, buf);
        let read;
        (file, buf, read) = task::spawn_blocking(move || {
            b.resize(want, 0);
            let read = read_full_at(&f, &mut b, offset);
            (f, b, read)
        });
        let n = match read {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "http: the file is shorter than when its size was sent",
            )),
            other => other,
        }
        .inspect_err(|_| s.keep_alive = false)
        .map_err(Error::Io)?;
        s.write(&buf[..n])?;
        offset += n as u64;
    }
    Ok(())
}

/// Fills `buf` from `offset` unless the file ends first; the bytes read.
fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
