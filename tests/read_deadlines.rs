//! The read-timeout rule, on TCP and on TLS: a timeout set with
//! `set_read_timeout` bounds each whole read call, not each wait inside it. A
//! peer that dribbles one byte every 50 ms, never the delimiter, must not keep
//! `read_until`, `read_line` or `read_exact` (inherent or through `std::io`)
//! waiting past the timeout; and the bytes of a cut-off line stay with the caller.

mod util;

use std::cell::Cell;
use std::io::{self, BufRead, ErrorKind, Read};
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::tcp::TcpStream;
use silly::net::tls::{self, ClientConfig, ServerConfig, TlsListener, TlsStream};
use silly::net::Conn;
use silly::{task, time};
use util::pki::Ca;
use util::tcp_pair;

const TIMEOUT: Duration = Duration::from_millis(300);
const DRIBBLE_EVERY: Duration = Duration::from_millis(50);
/// Long enough that a reader re-arming its timeout on each byte is caught: it
/// would still be reading when this has passed.
const DRIBBLE_FOR: Duration = Duration::from_secs(3);

/// The stream API the two transports share, so each case runs on both.
trait Stream: BufRead + 'static {
    fn set_read_timeout(&self, timeout: Option<Duration>);
    fn read_until(&self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize>;
    fn read_line(&self, out: &mut String) -> io::Result<usize>;
    fn read_exact(&self, buf: &mut [u8]) -> io::Result<()>;
    fn write_all(&self, buf: &[u8]) -> io::Result<()>;
}

macro_rules! stream {
    ($t:ty) => {
        impl Stream for $t {
            fn set_read_timeout(&self, timeout: Option<Duration>) {
                <$t>::set_read_timeout(self, timeout)
            }
            fn read_until(&self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
                <$t>::read_until(self, delim, out)
            }
            fn read_line(&self, out: &mut String) -> io::Result<usize> {
                <$t>::read_line(self, out)
            }
            fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
                <$t>::read_exact(self, buf)
            }
            fn write_all(&self, buf: &[u8]) -> io::Result<()> {
                <$t>::write_all(self, buf)
            }
        }
    };
}

stream!(TcpStream);
stream!(TlsStream);

/// (reader, writer) over loopback, handshake done.
fn tls_pair() -> (TlsStream, TlsStream) {
    let ca = Ca::new("test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_config =
        ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    let listener = TlsListener::bind("127.0.0.1:0", server_config).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = task::fork(move || tls::connect(addr, "localhost", &client_config).unwrap());
    let (server, _) = listener.accept().unwrap();
    server.handshake().unwrap();
    (client.join().unwrap(), server)
}

#[derive(Debug, Clone, Copy)]
enum Call {
    ReadUntil,
    ReadLine,
    ReadExact,
    StdReadUntil,
    StdReadLine,
    StdReadExact,
}

/// Runs `call` against a peer dribbling `x`s; checks that it times out after
/// about the timeout, keeps what it read (in `out` for `read_until` and
/// `read_line`, in the stream for `read_exact`), and that the stream goes on
/// where it stopped.
fn times_out_whole<S: Stream>(mut reader: S, writer: S, call: Call) {
    let stop = Rc::new(Cell::new(false));
    let dribbler = {
        let stop = stop.clone();
        task::fork(move || {
            let started = Instant::now();
            let mut sent = 0;
            while !stop.get() && started.elapsed() < DRIBBLE_FOR {
                writer.write_all(b"x").unwrap();
                sent += 1;
                time::sleep(DRIBBLE_EVERY);
            }
            (writer, sent)
        })
    };
    reader.set_read_timeout(Some(TIMEOUT));
    let mut line = Vec::new();
    let start = Instant::now();
    let result = match call {
        Call::ReadUntil => reader.read_until(b'\n', &mut line).map(drop),
        Call::StdReadUntil => BufRead::read_until(&mut reader, b'\n', &mut line).map(drop),
        Call::ReadLine | Call::StdReadLine => {
            let mut text = String::new();
            let result = match call {
                Call::ReadLine => reader.read_line(&mut text),
                _ => BufRead::read_line(&mut reader, &mut text),
            };
            line = text.into_bytes();
            result.map(drop)
        }
        Call::ReadExact => reader.read_exact(&mut [0; 1000]),
        Call::StdReadExact => Read::read_exact(&mut reader, &mut [0; 1000]),
    };
    let waited = start.elapsed();
    let err = result.expect_err("the delimiter never came");
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{call:?}: {err}");
    assert!(
        waited >= TIMEOUT,
        "{call:?}: timed out early, after {waited:?}"
    );
    assert!(
        waited < 3 * TIMEOUT,
        "{call:?}: the timeout bounds the whole call, yet it waited {waited:?}"
    );

    stop.set(true);
    let (writer, sent) = dribbler.join().unwrap();
    writer.write_all(b"\n").unwrap();
    let kept = line.len();
    reader.read_until(b'\n', &mut line).unwrap();
    assert_eq!(line.pop(), Some(b'\n'), "{call:?}: the stream goes on");
    assert!(line.iter().all(|&b| b == b'x'), "{call:?}: {line:?}");
    match call {
        // read_exact keeps what it read in the stream: the next read has it.
        Call::ReadExact | Call::StdReadExact => assert_eq!(kept, 0, "{call:?}"),
        _ => assert!(kept > 0, "{call:?}: bytes read before the timeout are kept"),
    }
    assert_eq!(line.len(), sent, "{call:?}: no byte lost or repeated");
}

fn over_tcp(call: Call) {
    silly::run(move || {
        let (reader, writer) = tcp_pair();
        times_out_whole(reader, writer, call);
    });
}

fn over_tls(call: Call) {
    silly::run(move || {
        let (reader, writer) = tls_pair();
        times_out_whole(reader, writer, call);
    });
}

#[test]
fn tcp_read_until_is_bounded_as_a_whole() {
    over_tcp(Call::ReadUntil);
}

#[test]
fn tcp_read_line_is_bounded_as_a_whole() {
    over_tcp(Call::ReadLine);
}

#[test]
fn tcp_read_exact_is_bounded_as_a_whole() {
    over_tcp(Call::ReadExact);
}

#[test]
fn tcp_std_read_until_is_bounded_as_a_whole() {
    over_tcp(Call::StdReadUntil);
}

#[test]
fn tcp_std_read_line_is_bounded_as_a_whole() {
    over_tcp(Call::StdReadLine);
}

#[test]
fn tcp_std_read_exact_is_bounded_as_a_whole() {
    over_tcp(Call::StdReadExact);
}

#[test]
fn tls_read_until_is_bounded_as_a_whole() {
    over_tls(Call::ReadUntil);
}

#[test]
fn tls_read_line_is_bounded_as_a_whole() {
    over_tls(Call::ReadLine);
}

#[test]
fn tls_read_exact_is_bounded_as_a_whole() {
    over_tls(Call::ReadExact);
}

#[test]
fn tls_std_read_until_is_bounded_as_a_whole() {
    over_tls(Call::StdReadUntil);
}

#[test]
fn tls_std_read_line_is_bounded_as_a_whole() {
    over_tls(Call::StdReadLine);
}

#[test]
fn tls_std_read_exact_is_bounded_as_a_whole() {
    over_tls(Call::StdReadExact);
}

/// `Conn::read_into` and `read_with` are bounded by the deadline they are
/// given, and leave the stream's own read timeout as it was.
fn conn_deadline_leaves_the_read_timeout(conn: Conn, writer: impl Stream) {
    let timeout = Some(Duration::from_secs(5));
    conn.set_read_timeout(timeout);
    let read_timeout = |conn: &Conn| match conn {
        Conn::Tcp(s) => s.read_timeout(),
        Conn::Tls(s) => s.read_timeout(),
    };
    let mut input = Vec::new();
    let err = conn
        .read_into(Some(Instant::now() + Duration::from_millis(50)), &mut input)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    let err = conn
        .read_with(Some(Instant::now() + Duration::from_millis(50)), |_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert_eq!(read_timeout(&conn), timeout);
    // A plain read waits by the read timeout, not by the deadline given before.
    let writer = task::fork(move || {
        time::sleep(Duration::from_millis(200));
        writer.write_all(b"late").unwrap();
        writer
    });
    let mut buf = [0u8; 4];
    assert_eq!(conn.read(&mut buf).unwrap(), 4);
    let writer = writer.join().unwrap();
    writer.write_all(b"more").unwrap();
    assert_eq!(conn.read_into(None, &mut input).unwrap(), 4);
    assert_eq!(input, b"more");
}

#[test]
fn tcp_conn_deadline_leaves_the_read_timeout() {
    silly::run(|| {
        let (reader, writer) = tcp_pair();
        conn_deadline_leaves_the_read_timeout(Conn::from(reader), writer);
    });
}

#[test]
fn tls_conn_deadline_leaves_the_read_timeout() {
    silly::run(|| {
        let (reader, writer) = tls_pair();
        conn_deadline_leaves_the_read_timeout(Conn::from(reader), writer);
    });
}
