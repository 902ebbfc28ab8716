use std::collections::VecDeque;

use super::*;

/// A source that plays a script: each fill takes the next piece (at most
/// what fits), or the next error; EOF once the script is done.
struct Script(RefCell<VecDeque<io::Result<Vec<u8>>>>);

impl Script {
    fn new(steps: Vec<io::Result<&[u8]>>) -> Script {
        Script(RefCell::new(
            steps.into_iter().map(|s| s.map(<[u8]>::to_vec)).collect(),
        ))
    }
}

impl Fill for Script {
    fn fill(&self, buf: &mut [u8], _: Option<Instant>) -> io::Result<usize> {
        let mut steps = self.0.borrow_mut();
        match steps.pop_front() {
            None => Ok(0),
            Some(Err(err)) => Err(err),
            Some(Ok(mut piece)) => {
                let n = piece.len().min(buf.len());
                buf[..n].copy_from_slice(&piece[..n]);
                if n < piece.len() {
                    steps.push_front(Ok(piece.split_off(n)));
                }
                Ok(n)
            }
        }
    }
}

#[test]
fn unread_puts_bytes_in_front_in_place_or_grown() {
    let mut buf = ReadBuf::default();
    buf.refill(|b| {
        b[..4].copy_from_slice(b"abcd");
        Ok(4)
    })
    .unwrap();
    buf.consume(2);
    buf.unread(b"xy"); // fits before "cd"
    assert_eq!(buf.filled(), b"xycd");
    let big = vec![b'z'; 3 * READ_BUF_SIZE];
    buf.unread(&big); // does not fit: the storage grows
    assert_eq!(buf.filled().len(), big.len() + 4);
    assert!(buf.filled().ends_with(b"xycd"));
    let n = buf.filled().len();
    buf.consume(n);
    buf.refill(|b| Ok(b.len())).unwrap();
    assert_eq!(
        buf.filled().len(),
        READ_BUF_SIZE,
        "a grown buffer shrinks back"
    );
}

#[test]
fn read_exact_that_fails_keeps_what_it_read() {
    let reader = BufReader::default();
    let timed_out = io::Error::from(io::ErrorKind::TimedOut);
    let src = Script::new(vec![Ok(b"he"), Ok(b"ll"), Err(timed_out), Ok(b"o")]);
    let mut out = [0; 5];
    let err = reader.read_exact(&src, &mut out).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    reader.read_exact(&src, &mut out).unwrap();
    assert_eq!(&out, b"hello");
    let err = reader.read_exact(&src, &mut out).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn read_line_that_fails_gives_back_a_cut_code_point() {
    let reader = BufReader::default();
    let timed_out = io::Error::from(io::ErrorKind::TimedOut);
    let bytes = "aé\n".as_bytes(); // "é" is two bytes: the error cuts it
    let src = Script::new(vec![Ok(&bytes[..2]), Err(timed_out), Ok(&bytes[2..])]);
    let mut line = String::new();
    let err = reader.read_line(&src, &mut line).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(line, "a", "the valid prefix stays in `out`, as std does");
    reader.read_line(&src, &mut line).unwrap();
    assert_eq!(line, "aé\n", "the cut byte was kept in the stream");
}
