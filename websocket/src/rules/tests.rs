//! One test per rule, on headers built by hand: no sockets.

use super::{Assembly, Rules, Violation};
use crate::close::{code, parse_close};
use crate::frame::{FrameType, Header};

const SERVER: Rules = Rules {
    masked: true,
    max_frame: 1000,
    max_message: 1500,
    deflate: false,
};

const CLIENT: Rules = Rules {
    masked: false,
    ..SERVER
};

const IDLE: Assembly = Assembly { kind: None, len: 0 };

/// A masked frame, as a client sends it.
fn header(fin: bool, opcode: u8, len: u64) -> Header {
    Header {
        fin,
        rsv: 0,
        opcode,
        mask: Some([1, 2, 3, 4]),
        len,
        size: 6,
    }
}

fn in_message(kind: FrameType, len: u64) -> Assembly {
    Assembly {
        kind: Some(kind),
        len,
    }
}

/// The code and reason of the rule `h` breaks.
fn broken(rules: Rules, h: Header, message: Assembly) -> (u16, &'static str) {
    let v = rules.check(&h, message).expect_err("a broken rule");
    (v.code, v.reason)
}

const PROTOCOL: u16 = code::PROTOCOL_ERROR;

#[test]
fn valid_frames_give_their_type() {
    for (opcode, kind) in [
        (0x1, FrameType::Text),
        (0x2, FrameType::Binary),
        (0x8, FrameType::Close),
        (0x9, FrameType::Ping),
        (0xA, FrameType::Pong),
    ] {
        assert_eq!(SERVER.check(&header(true, opcode, 10), IDLE), Ok(kind));
    }
    let unmasked = Header {
        mask: None,
        ..header(true, 0x1, 10)
    };
    assert_eq!(CLIENT.check(&unmasked, IDLE), Ok(FrameType::Text));
}

#[test]
fn reserved_bits_without_an_extension() {
    for rsv in 1..8 {
        let h = Header {
            rsv,
            ..header(true, 0x1, 1)
        };
        let why = "reserved bits set without an extension";
        assert_eq!(broken(SERVER, h, IDLE), (PROTOCOL, why));
    }
}

#[test]
fn rsv1_only_on_a_compressed_message_first_frame() {
    let deflate = Rules {
        deflate: true,
        ..SERVER
    };
    let rsv1 = |fin, opcode| Header {
        rsv: 0b100,
        ..header(fin, opcode, 1)
    };
    assert_eq!(deflate.check(&rsv1(true, 0x1), IDLE), Ok(FrameType::Text));
    assert_eq!(
        deflate.check(&rsv1(false, 0x2), IDLE),
        Ok(FrameType::Binary)
    );
    let why = "reserved bits set without an extension";
    // RFC 7692, section 6.1: not on continuations nor control frames.
    let text = in_message(FrameType::Text, 1);
    assert_eq!(broken(deflate, rsv1(true, 0x0), text), (PROTOCOL, why));
    for control in [0x8, 0x9, 0xA] {
        assert_eq!(broken(deflate, rsv1(true, control), IDLE), (PROTOCOL, why));
    }
    // RSV2 and RSV3 stay reserved.
    for rsv in [0b010, 0b001, 0b110] {
        let h = Header {
            rsv,
            ..header(true, 0x1, 1)
        };
        assert_eq!(broken(deflate, h, IDLE), (PROTOCOL, why));
    }
}

#[test]
fn reserved_opcodes() {
    for opcode in (0x3..=0x7).chain(0xB..=0xF) {
        let h = header(true, opcode, 0);
        assert_eq!(broken(SERVER, h, IDLE), (PROTOCOL, "reserved opcode"));
    }
}

#[test]
fn clients_mask_and_servers_do_not() {
    let unmasked = Header {
        mask: None,
        ..header(true, 0x2, 1)
    };
    let why = "unmasked frame from a client";
    assert_eq!(broken(SERVER, unmasked, IDLE), (PROTOCOL, why));
    let why = "masked frame from a server";
    assert_eq!(broken(CLIENT, header(true, 0x2, 1), IDLE), (PROTOCOL, why));
}

#[test]
fn top_bit_of_a_64_bit_length() {
    let lenient = Rules {
        max_frame: u64::MAX,
        max_message: u64::MAX,
        ..SERVER
    };
    let why = "frame length with the top bit set";
    assert_eq!(
        broken(lenient, header(true, 0x2, 1 << 63), IDLE),
        (PROTOCOL, why)
    );
    let longest = header(true, 0x2, u64::MAX >> 1);
    assert_eq!(lenient.check(&longest, IDLE), Ok(FrameType::Binary));
}

#[test]
fn control_frames_are_short_and_whole() {
    let why = "control frame too long or fragmented";
    for opcode in [0x8, 0x9, 0xA] {
        assert!(SERVER.check(&header(true, opcode, 125), IDLE).is_ok());
        assert_eq!(
            broken(SERVER, header(true, opcode, 126), IDLE),
            (PROTOCOL, why)
        );
        assert_eq!(
            broken(SERVER, header(false, opcode, 1), IDLE),
            (PROTOCOL, why)
        );
    }
}

#[test]
fn control_frames_inside_a_fragmented_message() {
    let full = in_message(FrameType::Text, 1500);
    assert_eq!(
        SERVER.check(&header(true, 0x9, 5), full),
        Ok(FrameType::Ping),
        "allowed, and not counted in the message"
    );
}

#[test]
fn frame_size_limit() {
    let limit = header(true, 0x2, 1000);
    assert_eq!(SERVER.check(&limit, IDLE), Ok(FrameType::Binary));
    let over = header(true, 0x2, 1001);
    let why = "frame over the size limit";
    assert_eq!(broken(SERVER, over, IDLE), (code::MESSAGE_TOO_BIG, why));
}

#[test]
fn continuation_needs_a_message() {
    let continuation = header(true, 0x0, 1);
    let why = "continuation frame without a message to continue";
    assert_eq!(broken(SERVER, continuation, IDLE), (PROTOCOL, why));
    let started = in_message(FrameType::Binary, 1);
    assert_eq!(
        SERVER.check(&continuation, started),
        Ok(FrameType::Continuation)
    );
}

#[test]
fn no_new_message_inside_a_fragmented_one() {
    let started = in_message(FrameType::Text, 1);
    let why = "new message inside a fragmented message";
    for opcode in [0x1, 0x2] {
        let h = header(true, opcode, 1);
        assert_eq!(broken(SERVER, h, started), (PROTOCOL, why));
    }
}

#[test]
fn message_size_limit() {
    let started = in_message(FrameType::Binary, 600);
    let to_limit = header(true, 0x0, 900);
    assert_eq!(
        SERVER.check(&to_limit, started),
        Ok(FrameType::Continuation)
    );
    let over = header(true, 0x0, 901);
    let why = "message over the size limit";
    assert_eq!(broken(SERVER, over, started), (code::MESSAGE_TOO_BIG, why));
}

#[test]
fn the_first_broken_rule_decides() {
    // Reserved bits in an unmasked, fragmented control frame over the frame
    // limit: the reserved bits are reported.
    let h = Header {
        rsv: 4,
        mask: None,
        ..header(false, 0x9, 5000)
    };
    let why = "reserved bits set without an extension";
    assert_eq!(broken(SERVER, h, IDLE), (PROTOCOL, why));
    // Over the frame limit and continuing nothing: the size is checked first.
    let h = header(true, 0x0, 5000);
    assert_eq!(broken(SERVER, h, IDLE).0, code::MESSAGE_TOO_BIG);
}

#[test]
fn close_payload_violations() {
    let violation = |payload: &[u8]| {
        let v = Violation::from(parse_close(payload).expect_err("a bad close"));
        (v.code, v.reason)
    };
    assert_eq!(violation(&[3]), (PROTOCOL, "one-byte close payload"));
    assert_eq!(
        violation(&1005u16.to_be_bytes()),
        (PROTOCOL, "invalid close code")
    );
    assert_eq!(
        violation(&[0x03, 0xE8, 0xFF]),
        (code::INVALID_PAYLOAD, "close reason is not valid UTF-8")
    );
}
