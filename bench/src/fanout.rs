//! The fan-out load: many WebSocket subscribers and one publisher on one
//! thread of plain mio, against a broadcast server (every text message any
//! client sends goes to every client, the sender included).
//!
//! - The publisher sends `size`-byte text messages, keeping up to `in_flight`
//!   of them in flight: a message is in flight until the last receiver (every
//!   subscriber and the publisher) has it. Its latency is publish to last
//!   receipt.
//! - Each message carries its sequence number; every receiver must get every
//!   message, whole and in order. A frame out of order, altered or missing is
//!   an error, and that receiver is written off (it no longer holds messages
//!   in flight), as is one the server closes with 1008 (counted apart: a
//!   server that drops clients of a loader that keeps up earns no figure).
//! - Deliveries (messages x receivers) are the unit: the report's `messages`
//!   counts frames received whole and in order in the window.

use std::collections::VecDeque;
use std::io::{ErrorKind, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::loader::{
    connect, frame, pattern, read_available, take_upgrade, upgrade_request, ws_frame_len, Meter,
    Report,
};

/// How to run a fan-out load.
#[derive(Debug, Clone)]
pub struct FanoutPlan {
    /// The broadcast server.
    pub addr: SocketAddr,
    /// Where the publisher connects instead, if set: another node of the
    /// same room (two broadcast servers with `--redis`), for the cross-node
    /// latency; `addr` then serves only the subscribers.
    pub publisher_addr: Option<SocketAddr>,
    /// Subscriber connections (the publisher comes on top).
    pub subscribers: usize,
    /// Payload bytes per message (at least 16, for the sequence number).
    pub size: usize,
    /// Messages in flight at most.
    pub in_flight: usize,
    /// Unmeasured time after every connection upgraded.
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
    /// The server's pid, to read its CPU time and memory.
    pub server_pid: Option<u32>,
}

/// Longest wait for every connection to upgrade, or for any delivery while
/// messages are in flight.
const STALL: Duration = Duration::from_secs(20);

/// The publisher's index among the connections (subscribers follow it).
const PUBLISHER: usize = 0;

/// One client connection: subscriber or publisher.
struct Conn {
    stream: TcpStream,
    upgraded: bool,
    /// Written off: closed by the server, or it broke the order.
    gone: bool,
    input: Vec<u8>,
    /// Bytes to write, and how many of them are written.
    output: Vec<u8>,
    written: usize,
    writable_interest: bool,
    /// Sequence number of the next message this connection must receive.
    next: u64,
}

impl Conn {
    /// Writes what is pending; wants writable events only while some is left.
    fn flush(&mut self, token: Token, poll: &Poll) -> std::io::Result<()> {
        while self.written < self.output.len() {
            match self.stream.write(&self.output[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if self.written == self.output.len() {
            self.output.clear();
            self.written = 0;
        }
        let want = !self.output.is_empty();
        if want != self.writable_interest {
            let interest = if want {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            poll.registry()
                .reregister(&mut self.stream, token, interest)?;
            self.writable_interest = want;
        }
        Ok(())
    }
}

/// A published message not yet received by every receiver.
struct Pending {
    sent_at: Instant,
    /// The frame every receiver must get, byte for byte.
    expected: Vec<u8>,
    /// Receivers still waiting for it.
    waiting: usize,
}

/// The payload of message `seq`: its number in hex, then filler.
fn payload(seq: u64, size: usize) -> Vec<u8> {
    let mut out = format!("{seq:016x}").into_bytes();
    out.extend_from_slice(&pattern(size.saturating_sub(16)));
    out
}

/// The messages in flight, oldest first, and the counts of the run.
struct Flight {
    queue: VecDeque<Pending>,
    /// Sequence number of the oldest message in `queue`.
    base: u64,
    receivers: usize,
}

impl Flight {
    /// A receiver left: it no longer holds up the messages it was waiting for.
    fn write_off(&mut self, conn: &mut Conn) {
        if conn.gone {
            return;
        }
        conn.gone = true;
        self.receivers -= 1;
        let from = conn.next.saturating_sub(self.base) as usize;
        for pending in self.queue.iter_mut().skip(from) {
            pending.waiting -= 1;
        }
    }
}

/// What checking one received frame found.
enum Receipt {
    /// The next message, whole.
    Delivered,
    /// A close frame with this code.
    Closed(u16),
    /// Anything else: out of order, altered, unexpected.
    Wrong,
}

fn check(frame: &[u8], conn: &Conn, flight: &Flight) -> Receipt {
    if frame[0] == 0x88 {
        let code = frame
            .get(2..4)
            .map_or(1005, |c| u16::from_be_bytes([c[0], c[1]]));
        return Receipt::Closed(code);
    }
    let index = conn.next.wrapping_sub(flight.base) as usize;
    match flight.queue.get(index) {
        Some(pending) if pending.expected == frame => Receipt::Delivered,
        _ => Receipt::Wrong,
    }
}

/// Runs the plan and returns what it measured.
pub fn run(plan: &FanoutPlan) -> std::io::Result<Report> {
    let handshake = upgrade_request("");
    let mut poll = Poll::new()?;
    let total = plan.subscribers + 1;
    let mut conns = Vec::with_capacity(total);
    for i in 0..total {
        let addr = match plan.publisher_addr {
            Some(publisher) if i == PUBLISHER => publisher,
            _ => plan.addr,
        };
        let mut stream = connect(addr, None)?;
        poll.registry().register(
            &mut stream,
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        conns.push(Conn {
            stream,
            upgraded: false,
            gone: false,
            input: Vec::with_capacity(1024),
            output: handshake.clone(),
            written: 0,
            writable_interest: true,
            next: 0,
        });
        if i % 256 == 255 {
            // Let the server accept a batch before the backlog fills.
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    let mut flight = Flight {
        queue: VecDeque::with_capacity(plan.in_flight),
        base: 0,
        receivers: total,
    };
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    let mut upgraded = 0usize;
    let mut deliveries = 0u64;
    let mut reply_bytes = 0u64;
    let mut errors = 0u64;
    let mut dropped = 0u64;
    let mut in_window = false;
    let mut meter = Meter::new(plan.server_pid);
    // Set once every connection upgraded.
    let mut window: Option<(Instant, Instant)> = None;
    let mut progress_at = Instant::now();
    loop {
        poll.poll(&mut events, Some(Duration::from_millis(5)))?;
        let now = Instant::now();
        if let Some((start, end)) = window {
            if !in_window && now >= start {
                in_window = true;
                deliveries = 0;
                reply_bytes = 0;
                histogram.reset();
                meter.start();
            }
            if now >= end {
                break;
            }
        }
        if now.duration_since(progress_at) > STALL {
            return Err(std::io::Error::new(
                ErrorKind::TimedOut,
                format!(
                    "no progress for {STALL:?}: {upgraded} of {total} upgraded, {} in flight",
                    flight.queue.len()
                ),
            ));
        }
        for event in events.iter() {
            let token = event.token();
            let conn = &mut conns[token.0];
            if conn.gone {
                continue;
            }
            if event.is_writable() && conn.flush(token, &poll).is_err() {
                errors += 1;
                flight.write_off(conn);
                continue;
            }
            if !event.is_readable() {
                continue;
            }
            let closed = !matches!(
                read_available(&mut conn.stream, &mut buf, &mut conn.input),
                Ok(true)
            );
            if !conn.upgraded {
                match take_upgrade(&mut conn.input) {
                    None => {}
                    Some(true) => {
                        conn.upgraded = true;
                        upgraded += 1;
                        progress_at = now;
                    }
                    Some(false) => {
                        errors += 1;
                        flight.write_off(conn);
                        continue;
                    }
                }
            }
            let mut used = 0;
            while conn.upgraded && !conn.gone {
                let Some(len) = ws_frame_len(&conn.input[used..]) else {
                    break;
                };
                let received = &conn.input[used..used + len];
                used += len;
                match check(received, conn, &flight) {
                    Receipt::Delivered => {
                        let index = (conn.next - flight.base) as usize;
                        flight.queue[index].waiting -= 1;
                        conn.next += 1;
                        progress_at = now;
                        if in_window {
                            deliveries += 1;
                            reply_bytes += len as u64;
                        }
                    }
                    Receipt::Closed(code) => {
                        if code == 1008 {
                            dropped += 1;
                        } else {
                            errors += 1;
                        }
                        flight.write_off(conn);
                    }
                    Receipt::Wrong => {
                        errors += 1;
                        flight.write_off(conn);
                    }
                }
            }
            conn.input.drain(..used);
            if closed && !conn.gone {
                // Closed without a close frame, or after one already counted.
                errors += 1;
                flight.write_off(conn);
            }
        }
        // Messages complete in order: every receiver gets them in order.
        while flight.queue.front().is_some_and(|p| p.waiting == 0) {
            let done = flight.queue.pop_front().expect("front");
            flight.base += 1;
            if in_window {
                let us = now.duration_since(done.sent_at).as_micros() as u64;
                let _ = histogram.record(us.max(1));
            }
        }
        if conns[PUBLISHER].gone {
            return Err(std::io::Error::other(format!(
                "the publisher was closed ({errors} errors, {dropped} dropped with 1008)"
            )));
        }
        if upgraded < total {
            continue;
        }
        if window.is_none() {
            let start = now + plan.warmup;
            window = Some((start, start + plan.measure));
        }
        // Top up the messages in flight, all in one write.
        let publisher = &mut conns[PUBLISHER];
        let mut added = false;
        while flight.queue.len() < plan.in_flight {
            let seq = flight.base + flight.queue.len() as u64;
            let body = payload(seq, plan.size);
            publisher
                .output
                .extend_from_slice(&frame(0x81, true, &body));
            flight.queue.push_back(Pending {
                sent_at: now,
                expected: frame(0x81, false, &body),
                waiting: flight.receivers,
            });
            added = true;
        }
        if added && publisher.flush(Token(PUBLISHER), &poll).is_err() {
            return Err(std::io::Error::other("the publisher's write failed"));
        }
    }
    Ok(Report {
        messages: deliveries,
        seconds: plan.measure.as_secs_f64(),
        p50_us: histogram.value_at_quantile(0.5) as f64,
        p99_us: histogram.value_at_quantile(0.99) as f64,
        errors,
        reply_bytes,
        dropped,
        ..meter.report()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_their_number() {
        let p = payload(0x2a, 64);
        assert_eq!(p.len(), 64);
        assert_eq!(&p[..16], b"000000000000002a");
        assert_ne!(payload(1, 64), payload(2, 64));
    }
}
