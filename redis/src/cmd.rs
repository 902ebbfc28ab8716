//! Commands: a name and binary-safe arguments, built up and encoded as RESP.

use std::fmt;

use redis_protocol::resp2::encode::encode_borrowed;
use redis_protocol::resp2::types::BorrowedFrame;

/// A command under construction, such as `cmd("SET").arg("k").arg(b"v")`.
///
/// Arguments are bytes (binary safe: any byte value, empty allowed); text and
/// numbers are written as their decimal or UTF-8 form, as Redis expects.
///
/// ```
/// use silly_redis::cmd;
///
/// let c = cmd("SET").arg("greeting").arg(b"\x00hi\xff").arg("EX").arg(60);
/// assert_eq!(c.args().count(), 5);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cmd {
    /// Every argument's bytes, one after another.
    data: Vec<u8>,
    /// Where each argument ends in `data`.
    ends: Vec<usize>,
}

/// A new command whose first word is `name` (more words can follow as
/// arguments: `cmd("CLIENT").arg("SETNAME")`).
pub fn cmd(name: &str) -> Cmd {
    Cmd::new().arg(name)
}

impl Cmd {
    /// A command with no words yet.
    pub fn new() -> Cmd {
        Cmd::default()
    }

    /// Appends an argument.
    #[must_use]
    pub fn arg(mut self, arg: impl ToArg) -> Cmd {
        self.push(arg);
        self
    }

    /// Appends an argument in place (for building in a loop).
    pub fn push(&mut self, arg: impl ToArg) -> &mut Cmd {
        arg.write_arg(&mut self.data);
        self.ends.push(self.data.len());
        self
    }

    /// The words so far, name first.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.data[s..e])
    }

    /// Whether the command has no words.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends the command's RESP encoding (an array of bulk strings) to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        let words: Vec<BorrowedFrame<'_>> = self.args().map(BorrowedFrame::BulkString).collect();
        let frame = BorrowedFrame::Array(&words);
        let start = out.len();
        out.resize(start + frame.encode_len(false), 0);
        let written = encode_borrowed(&mut out[start..], &frame, false)
            .expect("the buffer was sized by encode_len");
        out.truncate(start + written);
    }
}

impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.args().map(String::from_utf8_lossy))
            .finish()
    }
}

/// What can be a command argument: bytes as they are, text as UTF-8,
/// integers and floats in decimal.
pub trait ToArg {
    /// Appends the argument's bytes to `out`.
    fn write_arg(&self, out: &mut Vec<u8>);
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn write_arg(&self, out: &mut Vec<u8>) {
        (**self).write_arg(out);
    }
}

impl ToArg for [u8] {
    fn write_arg(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> ToArg for [u8; N] {
    fn write_arg(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl ToArg for Vec<u8> {
    fn write_arg(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl ToArg for str {
    fn write_arg(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl ToArg for String {
    fn write_arg(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

macro_rules! display_arg {
    ($($ty:ty),*) => {$(
        impl ToArg for $ty {
            fn write_arg(&self, out: &mut Vec<u8>) {
                use std::io::Write;
                write!(out, "{self}").expect("writing to a Vec does not fail");
            }
        }
    )*};
}

display_arg!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

#[cfg(test)]
mod tests;
