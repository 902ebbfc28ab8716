//! Compress, inflate, limits and takeover on buffers: no sockets.

use super::*;
use crate::deflate::{Compression, ContextMode};

fn direction(takeover: bool, window_bits: u8) -> Direction {
    Direction {
        takeover,
        window_bits,
    }
}

fn json(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            format!(
                "{{\"id\":{i},\"user\":\"u{}\",\"text\":\"hello there\"}},",
                i % 7
            )
        })
        .collect::<String>()
        .into_bytes()
}

fn settings(mode: ContextMode) -> Compression {
    Compression {
        mode,
        ..Compression::shared()
    }
}

fn roundtrip(takeover: bool, bits: u8, level: u32) {
    let deflater = Deflater::new(
        direction(takeover, bits),
        &settings(ContextMode::Shared).level(level),
    );
    let mut inflater = Inflater::new(direction(takeover, bits));
    let mut sizes = Vec::new();
    for round in 0..3 {
        let data = json(40 + round);
        let mut out = Vec::new();
        assert!(deflater.compress(&data, &mut out).unwrap());
        assert!(!out.ends_with(&TAIL), "the tail is removed");
        sizes.push(out.len());
        // Split in two frames, as a fragmented message.
        let (a, b) = out.split_at(out.len() / 2);
        inflater.inflate(a, false, 1 << 20, None).unwrap();
        inflater.inflate(b, true, 1 << 20, None).unwrap();
        assert_eq!(inflater.finish(), data);
    }
    // A message of ~2 KB reaches back into the previous in a 32 KiB window.
    if takeover && bits == 15 {
        assert!(
            sizes[1] < sizes[0] / 2,
            "takeover refers back: {sizes:?} {level}"
        );
    }
}

#[test]
fn roundtrips_with_and_without_takeover_and_windows() {
    for bits in [9, 12, 15] {
        for level in [1, 6] {
            roundtrip(true, bits, level);
            roundtrip(false, bits, level);
        }
    }
}

#[test]
fn short_messages_and_8_bit_windows_go_uncompressed() {
    let deflater = Deflater::new(direction(true, 15), &settings(ContextMode::Shared));
    let mut out = Vec::new();
    assert!(!deflater.compress(b"short", &mut out).unwrap());
    let deflater = Deflater::new(direction(true, 8), &settings(ContextMode::Shared));
    assert!(!deflater.compress(&json(50), &mut out).unwrap());
}

#[test]
fn inflates_what_8_bit_windows_and_empty_messages_give() {
    // A peer with a 256-byte window: its distances fit ours (9 bits).
    let mut inflater = Inflater::new(direction(true, 8));
    let mut c = Compress::new_with_window_bits(flate2::Compression::new(6), false, 9);
    let mut out = Vec::new();
    deflate(&mut c, &json(10), &mut out).unwrap();
    inflater.inflate(&out, true, 1 << 20, None).unwrap();
    assert_eq!(inflater.finish(), json(10));
    // RFC 7692, section 7.2.3.6: an empty message compresses to one 0x00.
    inflater.inflate(&[0x00], true, 10, None).unwrap();
    assert_eq!(inflater.finish(), b"");
}

#[test]
fn a_bomb_stops_at_the_limit() {
    let zeros = vec![0u8; 8 << 20];
    let mut c = new_compress(15, 9);
    let mut bomb = Vec::new();
    deflate(&mut c, &zeros, &mut bomb).unwrap();
    assert!(bomb.len() < 16 * 1024, "{}", bomb.len());
    let mut inflater = Inflater::new(direction(false, 15));
    let limit = 100_000;
    assert_eq!(inflater.inflate(&bomb, true, limit, None), Err(TOO_BIG));
    assert!(inflater.out.len() <= limit + 1, "stopped at the limit");
    assert!(inflater.out.capacity() < limit + INFLATE_STEP + 1);
}

#[test]
fn corrupt_data_and_invalid_text_fail() {
    let mut inflater = Inflater::new(direction(false, 15));
    assert_eq!(
        inflater.inflate(&[0xff, 0xff, 0xff, 0xff], true, 1000, None),
        Err(CORRUPT)
    );
    let mut c = new_compress(15, 1);
    let mut out = Vec::new();
    deflate(&mut c, &[b'a', 0xff, b'b'], &mut out).unwrap();
    let mut inflater = Inflater::new(direction(false, 15));
    let mut v = Utf8Validator::default();
    assert_eq!(
        inflater.inflate(&out, false, 1000, Some(&mut v)),
        Err(Violation::INVALID_TEXT),
        "checked as inflated, before the message ends"
    );
}

#[test]
fn empty_then_short_messages_with_takeover() {
    for bits in [10, 15] {
        let s = Compression::per_connection().threshold(0).window_bits(bits);
        let deflater = Deflater::new(direction(true, bits), &s);
        let mut inflater = Inflater::new(direction(true, bits));
        for data in [&b""[..], b"{", b"{\"a\":1}", b"", b"xyz"] {
            let mut out = Vec::new();
            assert!(deflater.compress(data, &mut out).unwrap());
            inflater.inflate(&out, true, 1000, None).unwrap();
            assert_eq!(inflater.finish(), data, "{bits}");
        }
    }
}

#[test]
fn a_prepared_message_is_compressed_once_for_all_shared_sockets() {
    let msg = PreparedMessage::new(json(30), crate::frame::FrameType::Text).unwrap();
    let shared = settings(ContextMode::Shared);
    let sockets: Vec<Deflater> = (0..3)
        .map(|_| Deflater::new(direction(false, 15), &shared))
        .collect();
    let mut first = None;
    for deflater in &sockets {
        let mut out = Vec::new();
        let Payload::Shared(bytes) = deflater.compress_prepared(&msg, &mut out).unwrap() else {
            panic!("no takeover: the shared form");
        };
        let first = first.get_or_insert_with(|| bytes.clone());
        assert!(std::rc::Rc::ptr_eq(first, &bytes), "the same bytes");
    }
    assert_eq!(msg.forms(), 1);
    // Another window is another form; takeover compresses per socket.
    let small = Deflater::new(direction(false, 10), &shared);
    assert!(matches!(
        small.compress_prepared(&msg, &mut Vec::new()).unwrap(),
        Payload::Shared(_)
    ));
    assert_eq!(msg.forms(), 2);
    let own = Deflater::new(direction(true, 15), &shared);
    let mut out = Vec::new();
    assert!(matches!(
        own.compress_prepared(&msg, &mut out).unwrap(),
        Payload::Scratch
    ));
    let mut inflater = Inflater::new(direction(true, 15));
    inflater.inflate(&out, true, 1 << 20, None).unwrap();
    assert_eq!(inflater.finish(), json(30));
    assert_eq!(msg.forms(), 2);
    let short = PreparedMessage::new(b"hi".to_vec(), crate::frame::FrameType::Binary).unwrap();
    assert!(matches!(
        own.compress_prepared(&short, &mut out).unwrap(),
        Payload::Plain
    ));
}

proptest::proptest! {
    /// Arbitrary bytes, in arbitrary frames, inflate or fail: never a panic,
    /// never past the limit.
    #[test]
    fn arbitrary_input_stays_within_the_limit(
        frames in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 1..4),
        takeover in proptest::bool::ANY,
    ) {
        let mut inflater = Inflater::new(direction(takeover, 15));
        let last = frames.len() - 1;
        for (i, frame) in frames.iter().enumerate() {
            match inflater.inflate(frame, i == last, 1000, None) {
                Ok(()) => proptest::prop_assert!(inflater.out.len() <= 1000),
                Err(v) => {
                    proptest::prop_assert!(v == CORRUPT || v == TOO_BIG);
                    return Ok(());
                }
            }
        }
        proptest::prop_assert!(inflater.finish().len() <= 1000);
    }
}

#[test]
fn the_shared_decompressor_takes_any_window() {
    // A peer that promised 9 bits uses the runtime's decompressor first
    // (zlib-rs happens to keep more window than asked; zlib's contract is
    // what the codec follows: the shared one is made with 15 bits)...
    let mut small = Inflater::new(direction(false, 9));
    small.inflate(&[0x00], true, 10, None).unwrap();
    small.finish();
    // ...then a 15-bit peer refers 1,000 bytes back: the same shared
    // decompressor must reach it.
    let mut noise = vec![0u8; 1000];
    let mut x = 7u32;
    for b in &mut noise {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (x >> 16) as u8;
    }
    // Two frames of one message: the second half repeats the first, so it
    // refers into what the first frame inflated, which only the
    // decompressor's window holds.
    let mut c = new_compress(15, 6);
    let mut first = Vec::with_capacity(4096);
    c.compress_vec(&noise, &mut first, FlushCompress::Sync)
        .unwrap();
    let mut second = Vec::with_capacity(4096);
    c.compress_vec(&noise, &mut second, FlushCompress::Sync)
        .unwrap();
    assert!(second.len() < 100, "the repeat is a back-reference");
    second.truncate(second.len() - TAIL.len());
    let mut big = Inflater::new(direction(false, 15));
    big.inflate(&first, false, 1 << 20, None).unwrap();
    big.inflate(&second, true, 1 << 20, None).unwrap();
    let data = [noise.clone(), noise].concat();
    assert_eq!(big.finish(), data);
}
