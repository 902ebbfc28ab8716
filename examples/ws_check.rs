//! Checks a foreign WebSocket echo server with our client: `tests/peers/` runs
//! it against Python `websockets` and Node `ws` servers. Prints one line per
//! check and exits non-zero if any failed (or if the whole run takes over 60 s).
//!
//! ```text
//! cargo run --release --example ws_check -- ws://127.0.0.1:9001
//! ```
//!
//! The server under test echoes text and binary messages on any path, and
//! answers these paths (the peer scripts in `tests/peers/` implement them):
//!
//! - `/send-fragmented`: sends the text message `frag-1 frag-2 frag-3 é` in
//!   three fragments, then echoes;
//! - `/send-invalid-utf8`: sends a text frame that is not UTF-8;
//! - `/send-big?bytes=N`: sends a binary message of `N` bytes;
//! - `/last-close`: sends the code and reason of the last close frame it
//!   received (`"4001 bye bye"`) as a text message.

use std::time::Duration;

use silly::net::websocket::{self, code, Compression, Config, Error, FrameType, Socket};
use silly::time;

/// Client message limit for the oversized-message check.
const SMALL_LIMIT: usize = 64 * 1024;

/// One check's outcome: `Err` says what was wrong.
type Check = Result<(), String>;

/// A check against the server at a base URL.
type CheckFn = fn(&str) -> Check;

fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:8080".to_owned());
    let base = base.trim_end_matches('/').to_owned();
    silly::run(move || {
        // Every wait below is bounded by this watchdog.
        time::after(Duration::from_secs(60), || {
            eprintln!("ws_check: timed out after 60 s");
            std::process::exit(2);
        });
        let checks: [(&str, CheckFn); 12] = [
            (
                "permessage-deflate, shared: 100 KiB text",
                compressed_shared,
            ),
            (
                "permessage-deflate, per connection: 100 KiB text",
                compressed_own,
            ),
            ("text", text),
            ("binary", binary),
            ("empty text", empty),
            ("1 MiB binary (sent in 16 fragments)", big_binary),
            ("1 MiB text, UTF-8 across fragments", big_text),
            ("receive a fragmented message", receive_fragmented),
            ("ping gets a pong with the payload", ping),
            ("close with code and reason", close_with_reason),
            ("invalid UTF-8 from the server: 1007", invalid_utf8),
            ("oversized message from the server: 1009", oversized),
        ];
        let (mut passed, mut failed) = (0, 0);
        for (name, check) in &checks {
            match check(&base) {
                Ok(()) => {
                    passed += 1;
                    println!("ok - {name}");
                }
                Err(why) => {
                    failed += 1;
                    println!("FAIL - {name}: {why}");
                }
            }
        }
        println!("ws_check: {passed} passed, {failed} failed");
        if failed > 0 {
            silly::exit(1);
        }
    });
}

fn connect(url: &str, config: Config) -> Result<Socket, String> {
    websocket::connect_with(url, &[], config).map_err(|e| format!("connect {url}: {e}"))
}

/// Compression negotiated with `compression`, and a compressible 100 KiB
/// text (several messages, so context takeover is used) echoed.
fn compressed(base: &str, compression: Compression) -> Check {
    let config = Config::default().compression(Some(compression));
    let sock = connect(&format!("{base}/echo"), config)?;
    if !sock.is_compressed() {
        return Err("the server did not accept permessage-deflate".into());
    }
    let text = "{\"user\":\"ann\",\"text\":\"hello, world\"},".repeat(3000);
    for _ in 0..3 {
        echo(&sock, &text.as_bytes()[..100 * 1024], FrameType::Text)?;
    }
    sock.close().map_err(|e| format!("close: {e}"))
}

fn compressed_shared(base: &str) -> Check {
    compressed(base, Compression::shared())
}

fn compressed_own(base: &str) -> Check {
    compressed(base, Compression::per_connection())
}

/// Sends `data` as `kind` and expects it back.
fn echo(sock: &Socket, data: &[u8], kind: FrameType) -> Check {
    sock.write(data, kind).map_err(|e| format!("write: {e}"))?;
    match sock.read() {
        Ok((got, got_kind)) if got_kind == kind && got == data => Ok(()),
        Ok((got, got_kind)) => Err(format!(
            "sent {} bytes as {kind:?}, got {} bytes as {got_kind:?}",
            data.len(),
            got.len()
        )),
        Err(e) => Err(format!("read: {e}")),
    }
}

fn echo_once(base: &str, data: &[u8], kind: FrameType) -> Check {
    let sock = connect(&format!("{base}/echo"), Config::default())?;
    echo(&sock, data, kind)?;
    sock.close().map_err(|e| format!("close: {e}"))
}

fn text(base: &str) -> Check {
    echo_once(
        base,
        "Hello, Server! ünïcödé ✓ 🦀".as_bytes(),
        FrameType::Text,
    )
}

fn binary(base: &str) -> Check {
    let data: Vec<u8> = (0..=255).collect();
    echo_once(base, &data, FrameType::Binary)
}

fn empty(base: &str) -> Check {
    echo_once(base, b"", FrameType::Text)
}

fn big_binary(base: &str) -> Check {
    let data: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    echo_once(base, &data, FrameType::Binary)
}

fn big_text(base: &str) -> Check {
    // "é" is two bytes and the pattern has an odd length, so fragment
    // boundaries (every 64 KiB) fall inside characters.
    let text = "abcé".repeat(1024 * 1024 / 5 + 1);
    echo_once(base, text.as_bytes(), FrameType::Text)
}

fn receive_fragmented(base: &str) -> Check {
    let sock = connect(&format!("{base}/send-fragmented"), Config::default())?;
    match sock.read() {
        Ok((got, FrameType::Text)) if got == "frag-1 frag-2 frag-3 é".as_bytes() => {}
        other => return Err(format!("expected the reassembled text, got {other:?}")),
    }
    sock.close().map_err(|e| format!("close: {e}"))
}

fn ping(base: &str) -> Check {
    let sock = connect(&format!("{base}/echo"), Config::default())?;
    sock.write(b"ping-1", FrameType::Ping)
        .map_err(|e| format!("ping: {e}"))?;
    match sock.read() {
        Ok((got, FrameType::Pong)) if got == b"ping-1" => {}
        other => return Err(format!("expected pong \"ping-1\", got {other:?}")),
    }
    // The connection still works after it.
    echo(&sock, b"after ping", FrameType::Text)?;
    sock.close().map_err(|e| format!("close: {e}"))
}

fn close_with_reason(base: &str) -> Check {
    let sock = connect(&format!("{base}/echo"), Config::default())?;
    echo(&sock, b"before close", FrameType::Text)?;
    sock.close_with(4001, "bye bye")
        .map_err(|e| format!("close: {e}"))?;
    match sock.peer_close() {
        Some((4001, _)) => {}
        other => return Err(format!("the server should echo 4001, got {other:?}")),
    }
    expect_last_close(base, 4001, Some("bye bye"))
}

fn invalid_utf8(base: &str) -> Check {
    let sock = connect(&format!("{base}/send-invalid-utf8"), Config::default())?;
    match sock.read() {
        Err(Error::Protocol { code: c, .. }) if c == code::INVALID_PAYLOAD => {}
        other => return Err(format!("expected a 1007 protocol error, got {other:?}")),
    }
    expect_last_close(base, code::INVALID_PAYLOAD, None)
}

fn oversized(base: &str) -> Check {
    let config = Config::default().max_message_bytes(SMALL_LIMIT);
    let url = format!("{base}/send-big?bytes={}", SMALL_LIMIT + 1);
    let sock = connect(&url, config)?;
    match sock.read() {
        Err(Error::Protocol { code: c, .. }) if c == code::MESSAGE_TOO_BIG => {}
        other => {
            let shown = other.map(|(data, kind)| (data.len(), kind));
            return Err(format!("expected a 1009 protocol error, got {shown:?}"));
        }
    }
    expect_last_close(base, code::MESSAGE_TOO_BIG, None)
}

/// Asks the server (on a new connection) which close frame it received last;
/// retries for up to 3 s, as the server may record it a moment after we close.
fn expect_last_close(base: &str, want_code: u16, want_reason: Option<&str>) -> Check {
    let mut seen = String::new();
    for _ in 0..30 {
        let sock = connect(&format!("{base}/last-close"), Config::default())?;
        let answer = sock.read().map_err(|e| format!("read /last-close: {e}"))?;
        let _ = sock.close();
        seen = String::from_utf8_lossy(&answer.0).into_owned();
        let (code, reason) = seen.split_once(' ').unwrap_or((&seen, ""));
        if code == want_code.to_string() && want_reason.is_none_or(|r| r == reason) {
            return Ok(());
        }
        time::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "the server should have received close {want_code} {}, it says {seen:?}",
        want_reason.unwrap_or("")
    ))
}
