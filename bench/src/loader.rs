//! The load generator: one thread on plain mio, written to cost as little as
//! possible per message so the server, not the loader, is what is measured.
//!
//! - Requests are encoded once (the GET bytes; client frames masked with a
//!   fixed key); replies are read only up to their known end.
//! - Readable interest only; writable only while a write is partial.
//! - One message in flight per connection; one clock read and one histogram
//!   record per message (the reply's arrival time is the next request's start).
//! - Every reply is checked (status or frame header and length; the whole first
//!   payload of each connection), and errors are counted, not ignored.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

pub(crate) use crate::report::Meter;
pub use crate::report::{cpu_us, status_kib, Report};

/// The fixed masking key of the loader's frames (masks need not be secret here).
const MASK: [u8; 4] = [0x5a, 0xa5, 0x3c, 0xc3];

/// What the loader sends and expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// TCP echo of `size`-byte messages.
    Tcp {
        /// Bytes per message.
        size: usize,
    },
    /// HTTP/1.1 keep-alive `GET /` answered "Hello, World!".
    Http,
    /// WebSocket echo of `size`-byte binary messages.
    Ws {
        /// Payload bytes per message.
        size: usize,
    },
    /// WebSocket connections that upgrade and then send nothing.
    Idle,
    /// WebSocket echo of a realistic JSON text message of about `size`
    /// bytes; with `deflate`, permessage-deflate is offered (with
    /// `client_no_context_takeover`, so one compressed frame is sent again
    /// and again) and replies are read by their frame length.
    WsJson {
        /// Bytes of JSON per message.
        size: usize,
        /// Whether compression is offered.
        deflate: bool,
    },
    /// [`Idle`](Self::Idle) with permessage-deflate offered.
    IdleDeflate,
}

/// The bytes a connection sends and how to recognise a full reply.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Sent once after connecting (the WebSocket upgrade), if any.
    pub handshake: Option<Vec<u8>>,
    /// Sent for every message.
    pub request: Vec<u8>,
    /// For echo workloads: the exact reply (TCP payload, or server frame).
    pub expected: Option<Vec<u8>>,
    /// Replies are WebSocket frames of varying size (compressed): found by
    /// their header.
    pub frames: bool,
    /// When not empty, the requests each connection sends in turn instead of
    /// `request` (different messages, as a compressor with context sees them).
    pub variants: Vec<Vec<u8>>,
}

impl Exchange {
    /// The request of a connection's `turn`.
    fn request(&self, turn: usize) -> &[u8] {
        match self.variants.len() {
            0 => &self.request,
            n => &self.variants[turn % n],
        }
    }
}

/// Different messages the deflate workload cycles through: 64 x 2 KiB is
/// more than a 32 KiB window, so no message is found whole in the window.
const VARIANTS: u64 = 64;

impl Workload {
    /// Encodes the workload's bytes once.
    pub fn exchange(self) -> Exchange {
        match self {
            Workload::Tcp { size } => {
                let payload = pattern(size);
                Exchange {
                    handshake: None,
                    expected: Some(payload.clone()),
                    request: payload,
                    frames: false,
                    variants: Vec::new(),
                }
            }
            Workload::Http => Exchange {
                handshake: None,
                request: b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n".to_vec(),
                expected: None,
                frames: false,
                variants: Vec::new(),
            },
            Workload::Ws { .. } | Workload::Idle => {
                let payload = pattern(plan_payload_len(self));
                Exchange {
                    handshake: Some(upgrade_request("")),
                    request: client_frame(&payload),
                    expected: Some(server_frame(&payload)),
                    frames: false,
                    variants: Vec::new(),
                }
            }
            Workload::IdleDeflate => Exchange {
                handshake: Some(upgrade_request(DEFLATE_OFFER)),
                request: Vec::new(),
                expected: None,
                frames: true,
                variants: Vec::new(),
            },
            Workload::WsJson { size, deflate } => {
                let json = json_message(size, 0);
                if !deflate {
                    return Exchange {
                        handshake: Some(upgrade_request("")),
                        request: frame(0x81, true, &json),
                        expected: Some(frame(0x81, false, &json)),
                        frames: false,
                        variants: Vec::new(),
                    };
                }
                Exchange {
                    handshake: Some(upgrade_request(DEFLATE_OFFER)),
                    request: frame(0xC1, true, &compress(&json)),
                    expected: None,
                    frames: true,
                    variants: (0..VARIANTS)
                        .map(|seed| frame(0xC1, true, &compress(&json_message(size, seed))))
                        .collect(),
                }
            }
        }
    }

    /// Whether connections only upgrade and stay silent.
    pub fn is_idle(self) -> bool {
        matches!(self, Workload::Idle | Workload::IdleDeflate)
    }
}

/// What the deflate workloads offer: the client side never takes over
/// context, so its one compressed frame stays valid for every message.
const DEFLATE_OFFER: &str =
    "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n";

/// A dashboard-like JSON message of about `size` bytes: an array of records
/// whose numbers vary as real data does (a fixed pseudo-random sequence).
pub fn json_message(size: usize, variant: u64) -> Vec<u8> {
    let names = [
        "cpu", "memory", "disk", "network", "latency", "errors", "queue",
    ];
    let hosts = ["web-1", "web-2", "db-1", "cache-1", "worker-3"];
    let mut seed = 0x2545_f491_4f6c_dd1du64 ^ variant.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = String::from("{\"type\":\"metrics\",\"points\":[");
    let mut i = 0;
    while out.len() + 120 < size {
        let r = next();
        out.push_str(&format!(
            "{{\"id\":{},\"host\":\"{}\",\"metric\":\"{}\",\"value\":{}.{:02},\"ts\":{},\"ok\":{}}},",
            1000 + i,
            hosts[(r % 5) as usize],
            names[(r >> 8) as usize % 7],
            (r >> 16) % 1000,
            (r >> 32) % 100,
            1_764_000_000_000u64 + i * 250 + (r >> 40) % 250,
            (r >> 50) % 10 != 0,
        ));
        i += 1;
    }
    out.pop();
    out.push_str("]}");
    while out.len() < size {
        out.push(' ');
    }
    out.into_bytes()
}

/// Raw deflate with a sync flush, the 4-byte tail removed (RFC 7692, 7.2.1).
fn compress(data: &[u8]) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::new(1), false);
    let mut out = Vec::with_capacity(data.len() + 64);
    c.compress_vec(data, &mut out, flate2::FlushCompress::Sync)
        .expect("deflate");
    assert!(
        out.ends_with(&[0, 0, 0xff, 0xff]),
        "room for the whole flush"
    );
    out.truncate(out.len() - 4);
    out
}

/// A whole frame (`first` byte: FIN, RSV1, opcode), masked as a client's or
/// plain as a server's.
pub(crate) fn frame(first: u8, masked: bool, payload: &[u8]) -> Vec<u8> {
    let mut out = frame_header(masked, payload.len());
    out[0] = first;
    if masked {
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Length of the whole unmasked frame at the start of `buf`, if it is there.
pub fn ws_frame_len(buf: &[u8]) -> Option<usize> {
    let (len, header) = match *buf.get(1)? {
        126 => (
            u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    (buf.len() >= header + len).then_some(header + len)
}

/// `size` bytes of the alphabet, over and over.
pub(crate) fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| b'a' + (i % 26) as u8).collect()
}

pub(crate) fn upgrade_request(extra: &str) -> Vec<u8> {
    format!(
        "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    )
    .into_bytes()
}

fn frame_header(masked: bool, len: usize) -> Vec<u8> {
    let mut out = vec![0x82];
    let m = if masked { 0x80 } else { 0 };
    if len < 126 {
        out.push(m | len as u8);
    } else if len <= 65535 {
        out.push(m | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(m | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out
}

/// A masked binary frame, as a client sends it.
pub fn client_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = frame_header(true, payload.len());
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    out
}

/// An unmasked binary frame, as a server echoes it.
pub fn server_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = frame_header(false, payload.len());
    out.extend_from_slice(payload);
    out
}

/// Takes the server's answer to the WebSocket upgrade from the start of
/// `input` once all of its head is there: `Some(true)` for `101`, `Some(false)`
/// for anything else; `None` while it is incomplete.
pub(crate) fn take_upgrade(input: &mut Vec<u8>) -> Option<bool> {
    let end = input.windows(4).position(|w| w == b"\r\n\r\n")?;
    let switched = input.starts_with(b"HTTP/1.1 101");
    input.drain(..end + 4);
    Some(switched)
}

/// Length of the complete HTTP response at the start of `buf`, if it is all
/// there (head, then a Content-Length body).
pub fn http_reply_len(buf: &[u8]) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = &buf[..head_end];
    let length = head
        .split(|&b| b == b'\n')
        .find_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    (buf.len() >= head_end + length).then_some(head_end + length)
}

/// How to run the load.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What to send.
    pub workload: Workload,
    /// The server.
    pub addr: SocketAddr,
    /// Connections, each with one message in flight.
    pub connections: usize,
    /// Unmeasured time before the window.
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
    /// Source addresses to spread connections over (empty: the system picks).
    pub sources: Vec<IpAddr>,
    /// The server's pid, to read its CPU time and memory.
    pub server_pid: Option<u32>,
}

struct Client {
    /// Index in the client list, and mio token.
    index: usize,
    stream: TcpStream,
    /// Received bytes not yet consumed.
    input: Vec<u8>,
    /// Bytes of the current request still to write.
    unsent: usize,
    upgraded: bool,
    connected: bool,
    verified_first: bool,
    sent_at: Instant,
    writable_interest: bool,
    /// Requests sent so far (which variant is next).
    turn: usize,
}

/// A non-blocking connection to `addr` (from `source`, if given) with
/// `TCP_NODELAY`, still connecting when returned.
pub(crate) fn connect(addr: SocketAddr, source: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    if let Some(ip) = source {
        socket.bind(&SocketAddr::new(ip, 0).into())?;
    }
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(115) || e.kind() == ErrorKind::WouldBlock => {} // EINPROGRESS
        Err(e) => return Err(e),
    }
    Ok(TcpStream::from_std(socket.into()))
}

/// Runs the plan and returns what it measured.
pub fn run(plan: &Plan) -> std::io::Result<Report> {
    let exchange = plan.workload.exchange();
    let server_pid = plan.server_pid.map(|p| p.to_string());
    let rss_before = server_pid
        .as_deref()
        .map(|p| status_kib(p, "VmRSS"))
        .unwrap_or(0);
    let mut poll = Poll::new()?;
    let mut clients = Vec::with_capacity(plan.connections);
    for i in 0..plan.connections {
        let source = (!plan.sources.is_empty()).then(|| plan.sources[i % plan.sources.len()]);
        let mut stream = connect(plan.addr, source)?;
        poll.registry().register(
            &mut stream,
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        clients.push(Client {
            index: i,
            stream,
            input: Vec::with_capacity(256),
            unsent: 0,
            upgraded: exchange.handshake.is_none(),
            connected: false,
            verified_first: false,
            sent_at: Instant::now(),
            writable_interest: true,
            turn: 0,
        });
        if i % 256 == 255 {
            // Let the server accept a batch before the backlog fills.
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    let start = Instant::now();
    let window_start = start + plan.warmup;
    let window_end = window_start + plan.measure;
    let mut in_window = false;
    let mut messages = 0u64;
    let mut reply_bytes = 0u64;
    let mut errors = 0u64;
    let mut upgraded = 0usize;
    let mut meter = Meter::new(plan.server_pid);
    let mut idle_report = None;
    loop {
        poll.poll(&mut events, Some(Duration::from_millis(5)))?;
        let mut now = Instant::now();
        if !in_window && now >= window_start && !plan.workload.is_idle() {
            in_window = true;
            messages = 0;
            reply_bytes = 0;
            histogram.reset();
            meter.start();
        }
        if plan.workload.is_idle() && upgraded == plan.connections && idle_report.is_none() {
            // Everyone is in; let the server settle, then weigh it.
            std::thread::sleep(Duration::from_secs(1));
            let after = server_pid
                .as_deref()
                .map(|p| status_kib(p, "VmRSS"))
                .unwrap_or(0);
            idle_report = Some(Report {
                messages: plan.connections as u64,
                seconds: start.elapsed().as_secs_f64(),
                errors,
                server_rss_kib: after,
                server_hwm_kib: server_pid
                    .as_deref()
                    .map(|p| status_kib(p, "VmHWM"))
                    .unwrap_or(0),
                idle_bytes_per_conn: (after.saturating_sub(rss_before)) as f64 * 1024.0
                    / plan.connections as f64,
                ..Report::default()
            });
            break;
        }
        if plan.workload.is_idle()
            && now > start + plan.warmup + plan.measure + Duration::from_secs(30)
        {
            return Err(std::io::Error::new(
                ErrorKind::TimedOut,
                format!("only {upgraded} connections upgraded"),
            ));
        }
        if in_window && now >= window_end {
            break;
        }
        for event in events.iter() {
            let c = &mut clients[event.token().0];
            if !c.connected && event.is_writable() {
                c.connected = true;
                let first = exchange.handshake.as_deref().unwrap_or(exchange.request(0));
                c.unsent = first.len();
                c.sent_at = now;
                if write_pending(c, first, &poll).is_err() {
                    errors += 1;
                }
                continue;
            }
            if event.is_writable() && c.unsent > 0 {
                let current = if c.upgraded {
                    exchange.request(c.turn)
                } else {
                    exchange.handshake.as_deref().unwrap_or(exchange.request(0))
                };
                if write_pending(c, current, &poll).is_err() {
                    errors += 1;
                }
            }
            if !event.is_readable() {
                continue;
            }
            match read_available(&mut c.stream, &mut buf, &mut c.input) {
                Ok(true) => {}
                Ok(false) => {
                    errors += 1;
                    let _ = poll.registry().deregister(&mut c.stream);
                }
                Err(_) => errors += 1,
            }
            // Complete replies: check, count, send the next request.
            loop {
                if !c.upgraded {
                    let Some(switched) = take_upgrade(&mut c.input) else {
                        break;
                    };
                    if !switched {
                        errors += 1;
                    }
                    c.upgraded = true;
                    upgraded += 1;
                    if plan.workload.is_idle() {
                        break;
                    }
                    c.unsent = exchange.request(c.turn).len();
                    c.sent_at = now;
                    if write_pending(c, exchange.request(c.turn), &poll).is_err() {
                        errors += 1;
                    }
                    continue;
                }
                let reply_len = match &exchange.expected {
                    Some(expected) => (c.input.len() >= expected.len()).then_some(expected.len()),
                    None if exchange.frames => ws_frame_len(&c.input),
                    None => http_reply_len(&c.input),
                };
                let Some(len) = reply_len else { break };
                let reply = &c.input[..len];
                let ok = match &exchange.expected {
                    Some(expected) if !c.verified_first => reply == &expected[..],
                    Some(expected) => {
                        let header =
                            expected.len() - expected.len().min(plan_payload_len(plan.workload));
                        reply[..header] == expected[..header]
                    }
                    // A whole compressed (RSV1) text frame: compression was
                    // negotiated and used.
                    None if exchange.frames => reply[0] == 0xC1,
                    None => {
                        reply.starts_with(b"HTTP/1.1 200")
                            && (c.verified_first || reply.ends_with(b"Hello, World!"))
                    }
                };
                if !ok {
                    errors += 1;
                }
                c.verified_first = true;
                c.input.drain(..len);
                now = Instant::now();
                if in_window {
                    messages += 1;
                    reply_bytes += len as u64;
                    let us = now.duration_since(c.sent_at).as_micros() as u64;
                    let _ = histogram.record(us.max(1));
                }
                c.sent_at = now;
                c.turn += 1;
                c.unsent = exchange.request(c.turn).len();
                if write_pending(c, exchange.request(c.turn), &poll).is_err() {
                    errors += 1;
                }
            }
        }
    }
    if let Some(report) = idle_report {
        return Ok(report);
    }
    let seconds = plan.measure.as_secs_f64();
    Ok(Report {
        messages,
        seconds,
        p50_us: histogram.value_at_quantile(0.5) as f64,
        p99_us: histogram.value_at_quantile(0.99) as f64,
        errors,
        reply_bytes,
        ..meter.report()
    })
}

fn plan_payload_len(workload: Workload) -> usize {
    match workload {
        Workload::Tcp { size } | Workload::Ws { size } => size,
        _ => 0,
    }
}

/// Appends what `stream` has to `input` (through `buf`) without waiting.
/// `Ok(false)` when the peer closed. A read that fills less than `buf` is
/// taken to have emptied the socket: no read is spent to see `WouldBlock`.
pub(crate) fn read_available(
    stream: &mut TcpStream,
    buf: &mut [u8],
    input: &mut Vec<u8>,
) -> std::io::Result<bool> {
    loop {
        match stream.read(buf) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                input.extend_from_slice(&buf[..n]);
                if n < buf.len() {
                    return Ok(true);
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(true),
            Err(e) => return Err(e),
        }
    }
}

/// Writes what is left of `bytes`; asks for writable events only while a
/// write is partial.
fn write_pending(c: &mut Client, bytes: &[u8], poll: &Poll) -> std::io::Result<()> {
    while c.unsent > 0 {
        let from = bytes.len() - c.unsent;
        match c.stream.write(&bytes[from..]) {
            Ok(n) => c.unsent -= n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    let want_writable = c.unsent > 0;
    if want_writable != c.writable_interest {
        let interest = if want_writable {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        };
        poll.registry()
            .reregister(&mut c.stream, Token(c.index), interest)?;
        c.writable_interest = want_writable;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_answers() {
        let mut input =
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81".to_vec();
        assert_eq!(take_upgrade(&mut input[..20].to_vec()), None);
        assert_eq!(take_upgrade(&mut input), Some(true));
        assert_eq!(input, b"\x81", "the bytes after the head stay");
        let mut refused = b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec();
        assert_eq!(take_upgrade(&mut refused), Some(false));
    }

    #[test]
    fn http_reply_boundaries() {
        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
        assert_eq!(http_reply_len(reply), Some(reply.len()));
        assert_eq!(http_reply_len(&reply[..reply.len() - 1]), None);
        let mut two = reply.to_vec();
        two.extend_from_slice(reply);
        assert_eq!(
            http_reply_len(&two),
            Some(reply.len()),
            "stops at the first reply"
        );
        assert_eq!(http_reply_len(b"HTTP/1.1 204 No Content\r\n\r\n"), Some(27));
    }

    #[test]
    fn frames_are_masked_for_the_server_and_plain_back() {
        let payload = pattern(20);
        let out = client_frame(&payload);
        assert_eq!(&out[..2], &[0x82, 0x80 | 20]);
        assert_eq!(&out[2..6], &MASK);
        let unmasked: Vec<u8> = out[6..]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ MASK[i % 4])
            .collect();
        assert_eq!(unmasked, payload);
        let back = server_frame(&payload);
        assert_eq!(&back[..2], &[0x82, 20]);
        let big = server_frame(&pattern(16 * 1024));
        assert_eq!(&big[..4], &[0x82, 126, 0x40, 0x00]);
    }

    #[test]
    fn json_workloads() {
        let json = json_message(2048, 0);
        assert_ne!(json, json_message(2048, 1));
        assert_eq!(json.len(), 2048);
        assert!(std::str::from_utf8(&json).is_ok());
        let plain = Workload::WsJson {
            size: 2048,
            deflate: false,
        }
        .exchange();
        assert_eq!(&plain.request[..2], &[0x81, 0x80 | 126]);
        let z = Workload::WsJson {
            size: 2048,
            deflate: true,
        }
        .exchange();
        assert!(z.frames && z.expected.is_none());
        assert_eq!(z.request[0], 0xC1, "RSV1: compressed");
        assert!(z.request.len() < 1500, "{}", z.request.len());
        assert_eq!(z.variants.len(), VARIANTS as usize);
        let back = frame(0xC1, false, &[1, 2, 3]);
        assert_eq!(ws_frame_len(&back), Some(5));
        assert_eq!(ws_frame_len(&back[..4]), None);
    }

    #[test]
    fn workloads_encode_once() {
        let tcp = Workload::Tcp { size: 100 }.exchange();
        assert_eq!(tcp.request.len(), 100);
        assert_eq!(tcp.expected.as_deref(), Some(&tcp.request[..]));
        let ws = Workload::Ws { size: 16 * 1024 }.exchange();
        assert!(ws.handshake.unwrap().ends_with(b"\r\n\r\n"));
        assert_eq!(ws.expected.unwrap().len(), 4 + 16 * 1024);
    }
}
