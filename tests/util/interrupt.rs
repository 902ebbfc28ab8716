//! The randomized interrupt test every stream type runs (`tests/interrupt_*.rs`):
//! large messages, each transfer cut by `time::timeout` at random points, on
//! the reading side (the stream must stay whole: every message arrives once
//! and intact) and on the writing side (a cut write either leaves the stream
//! whole or closes it, and the peer never accepts a torn message).
//!
//! A message is a text line: 24 hex digits (sequence number, offset and length
//! of its payload in a shared block of letters), the payload, `\n`. The
//! receiver checks the payload against the block, so a byte lost, repeated or
//! moved shows.

use std::cell::RefCell;
use std::io::{self, BufRead, IoSlice, Read};
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::tcp::{TcpListener, TcpStream};
use silly::net::tls::{self, ClientConfig, ServerConfig, TlsListener, TlsStream};
use silly::net::Conn;
use silly::{task, time};

use super::pki::Ca;
use super::Rng;

/// A connected TCP pair from `listener`: (client side, accepted side).
pub fn tcp_pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
    let addr = listener.local_addr().unwrap();
    let client = task::fork(move || TcpStream::connect(addr).unwrap());
    let (server, _) = listener.accept().unwrap();
    (client.join().unwrap(), server)
}

/// A TLS listener and the client config that trusts it.
pub fn tls_server() -> (TlsListener, ClientConfig) {
    let ca = Ca::new("interrupt CA");
    let leaf = ca.leaf(&["localhost"]);
    let config = ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    (TlsListener::bind("127.0.0.1:0", config).unwrap(), client)
}

/// A connected TLS pair after the handshake: (client side, accepted side).
pub fn tls_pair(listener: &TlsListener, config: &ClientConfig) -> (TlsStream, TlsStream) {
    let addr = listener.local_addr().unwrap();
    let config = config.clone();
    let client = task::fork(move || tls::connect(addr, "localhost", &config).unwrap());
    let (server, _) = listener.accept().unwrap();
    server.handshake().unwrap();
    (client.join().unwrap(), server)
}

/// Header bytes: sequence number, payload offset, payload length (8 hex each).
const HEADER: usize = 24;

/// How one read attempt takes its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOp {
    /// `read`, appending to the test's own buffer.
    Read,
    /// `BufRead::fill_buf` + `consume`, appending to the test's buffer.
    FillBuf,
    /// `Conn::read_into`.
    ReadInto,
    /// `Conn::read_with`.
    ReadWith,
    /// `read_exact` of the header, then of the rest.
    ReadExact,
    /// `std::io::Read::read_exact`, the same way.
    StdReadExact,
    /// `read_until(b'\n')` into a buffer local to the attempt.
    ReadUntil,
    /// `BufRead::read_until` the same way.
    StdReadUntil,
    /// `read_line` into a `String` local to the attempt.
    ReadLine,
}

impl ReadOp {
    /// Whether the op appends to a buffer the test keeps across attempts
    /// (rather than returning a whole piece of the message).
    fn accumulates(self) -> bool {
        matches!(
            self,
            ReadOp::Read | ReadOp::FillBuf | ReadOp::ReadInto | ReadOp::ReadWith
        )
    }
}

/// What the test needs of a stream type.
pub trait Stream: AsFd + Sized + 'static {
    /// The read calls it has.
    const READ_OPS: &'static [ReadOp];
    /// One accumulating read (`op.accumulates()`) appended to `acc`; 0 at EOF.
    fn read_more(&mut self, op: ReadOp, acc: &mut Vec<u8>) -> io::Result<usize>;
    /// Exactly `n` bytes (`ReadExact`, `StdReadExact`).
    fn read_exactly(&mut self, op: ReadOp, n: usize) -> io::Result<Vec<u8>>;
    /// Through the next `\n` (`ReadUntil`, `StdReadUntil`, `ReadLine`).
    fn read_through_newline(&mut self, op: ReadOp) -> io::Result<Vec<u8>>;
    fn write_all(&self, buf: &[u8]) -> io::Result<()>;
    fn write_all_vectored(&self, bufs: &mut [IoSlice<'_>]) -> io::Result<()>;
    fn is_closed(&self) -> bool;
    /// Ends the sending side cleanly (TLS: close_notify).
    fn finish(&self) -> io::Result<()>;
}

const CHUNK: usize = 64 * 1024;

/// Runs `f`, failing the test if it has not returned after 10 s: a stream
/// that lost bytes would otherwise leave a reader waiting for them forever.
fn within<R>(what: &str, f: impl FnOnce() -> R) -> R {
    time::timeout(Duration::from_secs(10), f).unwrap_or_else(|_| panic!("{what}: hung for 10 s"))
}

/// A random op of `ops` that `fits`.
fn pick(rng: &mut Rng, ops: &[ReadOp], fits: impl Fn(ReadOp) -> bool) -> ReadOp {
    let fitting: Vec<ReadOp> = ops.iter().copied().filter(|&op| fits(op)).collect();
    fitting[rng.below(fitting.len() as u64) as usize]
}

fn read_chunk(
    read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
    acc: &mut Vec<u8>,
) -> io::Result<usize> {
    let mut chunk = vec![0; CHUNK];
    let n = read(&mut chunk)?;
    acc.extend_from_slice(&chunk[..n]);
    Ok(n)
}

macro_rules! buffered_stream {
    ($t:ty) => {
        impl Stream for $t {
            const READ_OPS: &'static [ReadOp] = &[
                ReadOp::Read,
                ReadOp::FillBuf,
                ReadOp::ReadExact,
                ReadOp::StdReadExact,
                ReadOp::ReadUntil,
                ReadOp::StdReadUntil,
                ReadOp::ReadLine,
            ];

            fn read_more(&mut self, op: ReadOp, acc: &mut Vec<u8>) -> io::Result<usize> {
                match op {
                    ReadOp::Read => read_chunk(|b| <$t>::read(self, b), acc),
                    ReadOp::FillBuf => {
                        let bytes = self.fill_buf()?;
                        let n = bytes.len();
                        acc.extend_from_slice(bytes);
                        self.consume(n);
                        Ok(n)
                    }
                    _ => unreachable!("{op:?}"),
                }
            }

            fn read_exactly(&mut self, op: ReadOp, n: usize) -> io::Result<Vec<u8>> {
                let mut buf = vec![0; n];
                match op {
                    ReadOp::ReadExact => <$t>::read_exact(self, &mut buf)?,
                    _ => Read::read_exact(self, &mut buf)?,
                }
                Ok(buf)
            }

            fn read_through_newline(&mut self, op: ReadOp) -> io::Result<Vec<u8>> {
                let mut out = Vec::new();
                match op {
                    ReadOp::ReadUntil => {
                        <$t>::read_until(self, b'\n', &mut out)?;
                    }
                    ReadOp::StdReadUntil => {
                        BufRead::read_until(self, b'\n', &mut out)?;
                    }
                    _ => {
                        let mut line = String::new();
                        <$t>::read_line(self, &mut line)?;
                        out = line.into_bytes();
                    }
                }
                Ok(out)
            }

            fn write_all(&self, buf: &[u8]) -> io::Result<()> {
                <$t>::write_all(self, buf)
            }

            fn write_all_vectored(&self, bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
                <$t>::write_all_vectored(self, bufs)
            }

            fn is_closed(&self) -> bool {
                <$t>::is_closed(self)
            }

            fn finish(&self) -> io::Result<()> {
                <$t>::shutdown(self, Shutdown::Write)
            }
        }
    };
}

buffered_stream!(TcpStream);
buffered_stream!(TlsStream);

impl Stream for Conn {
    const READ_OPS: &'static [ReadOp] = &[ReadOp::Read, ReadOp::ReadInto, ReadOp::ReadWith];

    fn read_more(&mut self, op: ReadOp, acc: &mut Vec<u8>) -> io::Result<usize> {
        match op {
            ReadOp::Read => read_chunk(|b| Conn::read(self, b), acc),
            ReadOp::ReadInto => self.read_into(None, acc),
            ReadOp::ReadWith => self.read_with(None, |bytes| {
                acc.extend_from_slice(bytes);
                bytes.len()
            }),
            _ => unreachable!("{op:?}"),
        }
    }

    fn read_exactly(&mut self, op: ReadOp, _: usize) -> io::Result<Vec<u8>> {
        unreachable!("{op:?}")
    }

    fn read_through_newline(&mut self, op: ReadOp) -> io::Result<Vec<u8>> {
        unreachable!("{op:?}")
    }

    fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        Conn::write_all(self, buf)
    }

    fn write_all_vectored(&self, bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
        Conn::write_all_vectored(self, bufs)
    }

    fn is_closed(&self) -> bool {
        Conn::is_closed(self)
    }

    fn finish(&self) -> io::Result<()> {
        Conn::shutdown(self, Shutdown::Write)
    }
}

/// The seed of this run: `SEED` from the environment, else the clock. Printed,
/// so a failure can be replayed.
pub fn seed() -> u64 {
    let seed = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    println!("SEED={seed}");
    seed
}

/// Sizes of one run; smaller under `CI=true` (slow shared runners).
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Cuts each side must see.
    pub cuts: usize,
    /// Largest payload; payloads are between half of it and it.
    pub max_payload: usize,
}

impl Scale {
    pub fn from_env() -> Scale {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            Scale {
                cuts: 200,
                max_payload: 256 * 1024,
            }
        } else {
            Scale {
                cuts: 200,
                max_payload: 1024 * 1024,
            }
        }
    }
}

/// The letters payloads are cut from, and how messages are made and checked.
pub struct Messages {
    block: Vec<u8>,
    max_payload: usize,
}

impl Messages {
    pub fn new(seed: u64, max_payload: usize) -> Messages {
        let mut rng = Rng::new(seed ^ 0x5eed);
        let mut block = vec![0; 2 * max_payload];
        rng.fill(&mut block);
        for b in &mut block {
            *b = b'a' + *b % 26;
        }
        Messages { block, max_payload }
    }

    /// Message `seq`: header, payload, newline.
    pub fn make(&self, seq: u32, rng: &mut Rng) -> (Vec<u8>, usize) {
        let len = self.max_payload / 2 + rng.below(self.max_payload as u64 / 2 + 1) as usize;
        let off = rng.below((self.block.len() - len) as u64 + 1) as usize;
        let mut msg = format!("{seq:08x}{off:08x}{len:08x}").into_bytes();
        msg.extend_from_slice(&self.block[off..off + len]);
        msg.push(b'\n');
        (msg, HEADER)
    }

    /// The whole length of a message, from its header.
    fn length(&self, header: &[u8]) -> usize {
        let (seq, _, len) = parse_header(header);
        assert!(len <= self.max_payload, "message {seq}: bad length {len}");
        HEADER + len + 1
    }

    /// Checks a whole message and returns its sequence number.
    pub fn check(&self, msg: &[u8]) -> u32 {
        assert!(msg.len() >= HEADER, "short message: {} bytes", msg.len());
        let (seq, off, len) = parse_header(&msg[..HEADER]);
        assert_eq!(msg.len(), HEADER + len + 1, "message {seq}: length");
        assert!(
            msg[HEADER..HEADER + len] == self.block[off..off + len],
            "message {seq}: payload torn or out of order"
        );
        assert_eq!(msg[HEADER + len], b'\n', "message {seq}: end");
        seq
    }
}

fn parse_header(header: &[u8]) -> (u32, usize, usize) {
    let text = std::str::from_utf8(header).unwrap_or_default();
    let field = |i: usize| {
        text.get(i * 8..i * 8 + 8)
            .and_then(|f| usize::from_str_radix(f, 16).ok())
            .unwrap_or_else(|| panic!("torn header: {:?}", String::from_utf8_lossy(header)))
    };
    (field(0) as u32, field(1), field(2))
}

/// Counts of what the runtime and the process hold, to compare after a test.
#[derive(Debug, PartialEq, Eq)]
pub struct Baseline {
    tasks: usize,
    registrations: usize,
    timers: usize,
    fds: usize,
}

impl Baseline {
    pub fn now() -> Baseline {
        let stats = silly::stats();
        Baseline {
            tasks: stats.live_tasks,
            registrations: stats.registrations,
            timers: stats.timers,
            fds: super::fd_count(),
        }
    }

    /// Asserts that everything is back, letting finished coroutines end first.
    pub fn assert_back(&self) {
        let started = Instant::now();
        loop {
            let now = Baseline::now();
            if now == *self {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "not back to baseline: {now:?}, was {self:?}"
            );
            time::sleep(Duration::from_millis(5));
        }
    }
}

/// Makes the kernel buffers of `stream` small, so a writer blocks after a
/// little data and cuts land in the middle of writes.
pub fn small_buffers(stream: &impl AsFd) {
    let sock = socket2::SockRef::from(stream);
    sock.set_send_buffer_size(32 * 1024).unwrap();
    sock.set_recv_buffer_size(32 * 1024).unwrap();
}

/// Reading side: `writer` sends messages in pieces with pauses between;
/// `reader` reads each one by a random read call, cut by a timeout at a
/// random point and retried until it completes. Every message must arrive
/// once, intact and in order, until the writer closes and the reader sees EOF.
pub fn cut_reads<S: Stream>(mut reader: S, writer: S, seed: u64, scale: Scale) {
    let messages = Rc::new(Messages::new(seed, scale.max_payload));
    let mut rng = Rng::new(seed);
    let stop = Rc::new(RefCell::new(false));
    let sender = {
        let messages = messages.clone();
        let stop = stop.clone();
        let mut rng = Rng::new(seed.wrapping_add(1));
        task::fork(move || {
            let mut seq = 0u32;
            while !*stop.borrow() {
                let (msg, _) = messages.make(seq, &mut rng);
                let mut rest = &msg[..];
                while !rest.is_empty() {
                    let piece = rest.len().min(1 + rng.below(256 * 1024) as usize);
                    writer.write_all(&rest[..piece]).unwrap();
                    rest = &rest[piece..];
                    time::sleep(Duration::from_micros(rng.below(1500)));
                }
                seq += 1;
            }
            writer.finish().unwrap();
            seq
        })
    };

    let mut acc = Vec::new(); // the accumulating ops' own buffer
    let mut header: Option<Vec<u8>> = None; // read by read_exact, body pending
    let mut cuts = 0;
    let mut expected = 0u32;
    let max_messages = 10 * scale.cuts;
    while cuts < scale.cuts {
        assert!(
            (expected as usize) < max_messages,
            "only {cuts} cuts in {expected} messages"
        );
        // Timeouts grow with the cuts, so each message completes.
        let mut cut = 0u64;
        let msg = loop {
            assert!(
                cut < 100,
                "message {expected}: cut 100 times, never completes"
            );
            let limit = Duration::from_micros(rng.below(1500 * (cut + 1)));
            let op = if !acc.is_empty() {
                // A message begun by an accumulating op ends so.
                pick(&mut rng, S::READ_OPS, ReadOp::accumulates)
            } else if header.is_some() {
                pick(&mut rng, S::READ_OPS, |op| {
                    matches!(op, ReadOp::ReadExact | ReadOp::StdReadExact)
                })
            } else {
                pick(&mut rng, S::READ_OPS, |_| true)
            };
            let result = time::timeout(limit, || -> io::Result<Option<Vec<u8>>> {
                if op.accumulates() {
                    let n = reader.read_more(op, &mut acc)?;
                    assert!(n > 0, "EOF in the middle of message {expected}");
                    if acc.len() >= HEADER && acc.len() >= messages.length(&acc[..HEADER]) {
                        let len = messages.length(&acc[..HEADER]);
                        let rest = acc.split_off(len);
                        return Ok(Some(std::mem::replace(&mut acc, rest)));
                    }
                    Ok(None)
                } else if matches!(op, ReadOp::ReadExact | ReadOp::StdReadExact) {
                    // The header is the test's own state: kept across a cut
                    // of the body's read.
                    match &header {
                        None => {
                            header = Some(reader.read_exactly(op, HEADER)?);
                            Ok(None)
                        }
                        Some(head) => {
                            let body = reader.read_exactly(op, messages.length(head) - HEADER)?;
                            let mut msg = header.take().unwrap();
                            msg.extend_from_slice(&body);
                            Ok(Some(msg))
                        }
                    }
                } else {
                    reader.read_through_newline(op).map(Some)
                }
            });
            match result {
                Ok(Ok(Some(msg))) => break msg,
                Ok(Ok(None)) => {}
                Ok(Err(err)) => panic!("message {expected}, {op:?}: {err}"),
                Err(_elapsed) => {
                    cut += 1;
                    cuts += 1;
                }
            }
        };
        assert_eq!(messages.check(&msg), expected, "messages in order, once");
        expected += 1;
    }
    *stop.borrow_mut() = true;
    // The writer finishes its message and closes: what is left arrives whole,
    // then a clean EOF.
    if let Some(head) = header.take() {
        acc = head; // `acc` was empty: a header is read only then
    }
    within("the last messages", || loop {
        while acc.len() >= HEADER && acc.len() >= messages.length(&acc[..HEADER]) {
            let rest = acc.split_off(messages.length(&acc[..HEADER]));
            assert_eq!(messages.check(&acc), expected, "messages in order, once");
            acc = rest;
            expected += 1;
        }
        if reader.read_more(S::READ_OPS[0], &mut acc).unwrap() == 0 {
            assert!(acc.is_empty(), "EOF in the middle of message {expected}");
            break;
        }
    });
    let sent = sender.join().unwrap();
    assert_eq!(expected, sent, "every message sent arrived");
    println!("reads: {cuts} cuts over {sent} messages");
}

/// Writing side: `writer` sends messages by `write_all` or
/// `write_all_vectored`, each cut by a timeout at a random point, while its
/// peer reads slowly. A cut write leaves the stream whole (nothing went out:
/// the message is sent again) or closed (`is_closed`, later writes fail
/// saying why; the peer sees the connection end and never accepts the torn
/// message; a new connection goes on). At the end the peer has accepted
/// exactly the messages whose write returned `Ok`, in order.
pub fn cut_writes<S: Stream>(pair: impl Fn() -> (S, S), seed: u64, scale: Scale) {
    let messages = Rc::new(Messages::new(seed, scale.max_payload));
    let mut rng = Rng::new(seed);
    let accepted = Rc::new(RefCell::new(Vec::new()));
    let torn_seen = Rc::new(RefCell::new(0usize));
    let connect = |rng: &mut Rng| {
        // The accepted side writes: a TLS client has unread session tickets,
        // and a socket closed with unread input is reset, losing what it had
        // queued for the peer.
        let (peer, writer) = pair();
        small_buffers(&writer);
        small_buffers(&peer);
        let messages = messages.clone();
        let accepted = accepted.clone();
        let torn_seen = torn_seen.clone();
        let mut rng = Rng::new(rng.next_u64());
        let reader = task::fork(move || {
            let mut peer = peer;
            let mut acc = Vec::new();
            loop {
                match peer.read_more(S::READ_OPS[0], &mut acc) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                while acc.len() >= HEADER && acc.len() >= messages.length(&acc[..HEADER]) {
                    let rest = acc.split_off(messages.length(&acc[..HEADER]));
                    accepted.borrow_mut().push(messages.check(&acc));
                    acc = rest;
                }
                time::sleep(Duration::from_micros(rng.below(1000)));
            }
            if !acc.is_empty() {
                *torn_seen.borrow_mut() += 1;
            }
        });
        (writer, reader)
    };

    let (mut writer, mut reader) = connect(&mut rng);
    let mut delivered = Vec::new();
    let (mut cuts, mut closed) = (0, 0);
    let mut seq = 0u32;
    let mut message = messages.make(seq, &mut rng);
    while cuts < scale.cuts {
        assert!(
            (seq as usize) < 20 * scale.cuts,
            "only {cuts} cuts in {seq} messages"
        );
        // Up to 60 ms for a 1 MiB payload, less for smaller ones (CI): a cut
        // lands when it comes before the write ends, so the range follows the
        // time a write takes.
        let max_us = 60_000 * scale.max_payload as u64 / (1024 * 1024);
        let limit = Duration::from_micros(rng.below(max_us.max(1_000)));
        let vectored = rng.below(2) == 0;
        let (msg, header) = (&message.0, message.1);
        let result = time::timeout(limit, || {
            if vectored {
                writer.write_all_vectored(&mut [
                    IoSlice::new(&msg[..header]),
                    IoSlice::new(&msg[header..msg.len() - 1]),
                    IoSlice::new(b"\n"),
                ])
            } else {
                writer.write_all(msg)
            }
        });
        match result {
            Ok(Ok(())) => {
                delivered.push(seq);
                seq += 1;
                message = messages.make(seq, &mut rng);
            }
            Ok(Err(err)) => panic!("message {seq}: {err}"),
            Err(_elapsed) if writer.is_closed() => {
                cuts += 1;
                closed += 1;
                let err = writer.write_all(b"more").unwrap_err();
                assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
                assert!(err.to_string().contains("partial write"), "{err}");
                drop(writer);
                within("the peer's end", || reader.join().unwrap());
                // The torn message is never sent again: the next one follows.
                seq += 1;
                message = messages.make(seq, &mut rng);
                (writer, reader) = connect(&mut rng);
            }
            // Cut before any byte went out: the stream is whole, send it again.
            Err(_elapsed) => cuts += 1,
        }
    }
    writer.finish().unwrap();
    within("the peer's end", || reader.join().unwrap());
    drop(writer);
    assert_eq!(
        *accepted.borrow(),
        delivered,
        "the peer accepted exactly the messages written"
    );
    assert!(closed > 0, "no cut write closed its stream in {cuts} cuts");
    assert!(
        *torn_seen.borrow() <= closed,
        "a torn message only where a cut closed the stream"
    );
    println!(
        "writes: {cuts} cuts ({closed} closed the stream), {} messages written, {} torn seen",
        delivered.len(),
        torn_seen.borrow()
    );
}

/// `Task::cancel` cuts a read in the middle of a message: the stream is whole,
/// the next read gets the message intact. Uses the type's first multi-read op
/// (`read_exact`), or an accumulating one.
pub fn cancel_read<S: Stream>(reader: S, writer: S) {
    let messages = Messages::new(7, 64 * 1024);
    let (msg, _) = messages.make(0, &mut Rng::new(7));
    let half = msg.len() / 2;
    writer.write_all(&msg[..half]).unwrap();
    let reader = Rc::new(RefCell::new(reader));
    let op = if S::READ_OPS.contains(&ReadOp::ReadExact) {
        ReadOp::ReadExact
    } else {
        S::READ_OPS[1]
    };
    // What an accumulating op read: the caller's state, kept outside the
    // cancelled task as a protocol layer keeps its input buffer.
    let acc = Rc::new(RefCell::new(Vec::new()));
    let victim = {
        let (reader, acc) = (reader.clone(), acc.clone());
        let len = msg.len();
        task::fork(move || {
            let mut reader = reader.borrow_mut();
            if op == ReadOp::ReadExact {
                reader.read_exactly(op, len).map(drop)
            } else {
                loop {
                    let mut more = Vec::new();
                    reader.read_more(op, &mut more)?;
                    acc.borrow_mut().extend_from_slice(&more);
                }
            }
        })
    };
    // It starts, and blocks once what is there is read (a sleep lets the
    // loop poll the sockets).
    time::sleep(Duration::from_millis(20));
    assert!(!victim.is_finished(), "the read waits for the second half");
    victim.task().cancel();
    assert!(victim.join().unwrap_err().is_cancelled());
    writer.write_all(&msg[half..]).unwrap();
    let mut reader = reader.borrow_mut();
    let got = within("the message after the cut", || {
        if op == ReadOp::ReadExact {
            reader.read_exactly(op, msg.len()).unwrap()
        } else {
            let mut acc = acc.take();
            assert_eq!(acc.len(), half, "the first half was read before the cut");
            while acc.len() < msg.len() {
                assert!(reader.read_more(op, &mut acc).unwrap() > 0);
            }
            acc
        }
    });
    assert_eq!(messages.check(&got), 0);
    assert!(
        got == msg,
        "the message arrives intact after the cancelled read"
    );
}

/// `Task::cancel` cuts a `write_all` after part of its buffer went out: the
/// stream is closed (`is_closed`, later writes fail saying why), and the peer
/// reads a prefix of what was written, then the end of the connection.
pub fn cancel_write<S: Stream>(writer: S, mut peer: S) {
    small_buffers(&writer);
    small_buffers(&peer);
    let mut big = vec![0u8; 8 * 1024 * 1024];
    Rng::new(9).fill(&mut big);
    let big = Rc::new(big);
    let writer = Rc::new(writer);
    let victim = {
        let (writer, big) = (writer.clone(), big.clone());
        task::fork(move || writer.write_all(&big))
    };
    // It starts, and blocks once what is there is read (a sleep lets the
    // loop poll the sockets).
    time::sleep(Duration::from_millis(20));
    assert!(
        !victim.is_finished(),
        "the write waits for the peer to read"
    );
    assert!(!writer.is_closed());
    victim.task().cancel();
    assert!(victim.join().unwrap_err().is_cancelled());
    assert!(writer.is_closed(), "a write cut midway closes the stream");
    let err = writer.write_all(b"more").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
    assert!(err.to_string().contains("partial write"), "{err}");
    let mut got = Vec::new();
    let end = within("the end of the connection", || loop {
        match peer.read_more(S::READ_OPS[0], &mut got) {
            Ok(0) => break Ok(()),
            Ok(_) => assert!(got.len() <= big.len()),
            Err(err) => break Err(err),
        }
    });
    assert!(
        !got.is_empty() && got.len() < big.len(),
        "{} bytes",
        got.len()
    );
    assert!(
        got[..] == big[..got.len()],
        "the peer got a prefix of the write"
    );
    if let Err(err) = end {
        // TLS: no close_notify, so the peer sees a truncation, not a clean end.
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
    }
}

/// A write cut before any of its bytes went out leaves the stream whole: a
/// second writer, waiting behind a first one the peer does not read yet, is
/// cut by a timeout; the first completes, and the second, sent again, arrives
/// once.
pub fn cut_waiting_write<S: Stream>(writer: S, mut peer: S) {
    small_buffers(&writer);
    small_buffers(&peer);
    let messages = Messages::new(11, 256 * 1024);
    let mut rng = Rng::new(11);
    let first = messages.make(0, &mut rng).0;
    let second = messages.make(1, &mut rng).0;
    let writer = Rc::new(writer);
    let send = |msg: Vec<u8>| {
        let writer = writer.clone();
        task::fork(move || writer.write_all(&msg))
    };
    let blocked = send(first);
    time::sleep(Duration::from_millis(20));
    assert!(!blocked.is_finished(), "the first write waits for the peer");
    let cut = time::timeout(Duration::from_millis(20), || writer.write_all(&second));
    assert!(cut.is_err(), "the second write waits behind the first");
    assert!(!writer.is_closed(), "nothing of the cut write went out");
    let mut acc = Vec::new();
    let mut got = Vec::new();
    let mut read_one = |got: &mut Vec<u32>| {
        let want = got.len() + 1;
        while got.len() < want {
            assert!(peer.read_more(S::READ_OPS[0], &mut acc).unwrap() > 0);
            while acc.len() >= HEADER && acc.len() >= messages.length(&acc[..HEADER]) {
                let rest = acc.split_off(messages.length(&acc[..HEADER]));
                got.push(messages.check(&acc));
                acc = rest;
            }
        }
    };
    within("the first message", || read_one(&mut got));
    // All of the first message arrived: its write has returned.
    blocked.join().unwrap().unwrap();
    let resent = send(second);
    within("the second message", || read_one(&mut got));
    resent.join().unwrap().unwrap();
    writer.finish().unwrap();
    assert_eq!(got, [0, 1], "each message once, in order");
    let mut rest = Vec::new();
    assert_eq!(peer.read_more(S::READ_OPS[0], &mut rest).unwrap(), 0);
}
