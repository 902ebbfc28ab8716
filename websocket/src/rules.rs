//! RFC 6455's rules for what a peer may send, as pure checks: a frame header
//! and the state of the message being reassembled in, the frame's type or the
//! [`Violation`] out. No I/O: the socket fails the connection, in one place,
//! with the violation's close code.

use crate::close::{code, BadClose};
use crate::frame::{FrameType, Header};

/// A broken rule: the close code to fail the connection with (RFC 6455,
/// section 7.4.1) and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) code: u16,
    pub(crate) reason: &'static str,
}

impl Violation {
    /// Section 8.1: "When an endpoint is to interpret a byte stream as UTF-8
    /// but finds that the byte stream is not, in fact, a valid UTF-8 stream,
    /// that endpoint MUST _Fail the WebSocket Connection_." Section 7.4.1:
    /// 1007 is for "non-UTF-8 [RFC3629] data within a text message".
    pub(crate) const INVALID_TEXT: Violation = Violation {
        code: code::INVALID_PAYLOAD,
        reason: "text message is not valid UTF-8",
    };

    /// Past `Config::max_messages_per_second`. Section 7.4.1: 1008 "indicates
    /// that an endpoint is terminating the connection because it has
    /// received a message that violates its policy", the code for a limit
    /// of ours that the RFC has no code of its own for.
    pub(crate) const TOO_MANY_MESSAGES: Violation = Violation {
        code: code::POLICY_VIOLATION,
        reason: "too many messages per second",
    };
}

impl From<BadClose> for Violation {
    fn from(bad: BadClose) -> Self {
        match bad {
            BadClose::Protocol(reason) => Violation {
                code: code::PROTOCOL_ERROR,
                reason,
            },
            BadClose::Utf8 => Violation {
                code: code::INVALID_PAYLOAD,
                reason: "close reason is not valid UTF-8",
            },
        }
    }
}

/// The message being reassembled, as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Assembly {
    /// The type its first frame gave it; `None` between messages.
    pub(crate) kind: Option<FrameType>,
    /// Payload bytes received so far, the frame being checked not included.
    pub(crate) len: u64,
}

/// What one end of a connection accepts from the other.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// Whether the peer's frames must be masked (we are the server).
    pub(crate) masked: bool,
    /// Largest frame payload accepted (`Config::max_frame_bytes`).
    pub(crate) max_frame: u64,
    /// Largest message accepted (`Config::max_message_bytes`).
    pub(crate) max_message: u64,
    /// Whether permessage-deflate was negotiated (RSV1 then marks a
    /// compressed message).
    pub(crate) deflate: bool,
}

/// RSV1 in [`Header::rsv`].
pub(crate) const RSV1: u8 = 0b100;

fn protocol_error(reason: &'static str) -> Violation {
    Violation {
        code: code::PROTOCOL_ERROR,
        reason,
    }
}

fn too_big(reason: &'static str) -> Violation {
    Violation {
        code: code::MESSAGE_TOO_BIG,
        reason,
    }
}

impl Rules {
    /// Checks a frame's header, and for a data frame its place in `message`,
    /// before any of its payload is read. The first rule broken decides the
    /// violation; rules are checked in the order below.
    #[inline]
    pub(crate) fn check(&self, h: &Header, message: Assembly) -> Result<FrameType, Violation> {
        // 5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that
        // defines meanings for non-zero values. If a nonzero value is received
        // and none of the negotiated extensions defines the meaning of such a
        // nonzero value, the receiving endpoint MUST _Fail the WebSocket
        // Connection_." Only permessage-deflate defines one: RFC 7692, section
        // 6.1, the "Per-Message Compressed" bit (RSV1) "is set on the first
        // frame of a compressed message", and "An endpoint MUST NOT set the
        // "Per-Message Compressed" bit of control frames and non-first
        // fragments of a data message".
        if h.rsv != 0 && !(self.deflate && h.rsv == RSV1 && matches!(h.opcode, 0x1 | 0x2)) {
            return Err(protocol_error("reserved bits set without an extension"));
        }
        // 5.2: "If an unknown opcode is received, the receiving endpoint MUST
        // _Fail the WebSocket Connection_."
        let Some(kind) = FrameType::from_opcode(h.opcode) else {
            return Err(protocol_error("reserved opcode"));
        };
        // 5.1: "The server MUST close the connection upon receiving a frame
        // that is not masked", and "A client MUST close a connection if it
        // detects a masked frame."
        if h.mask.is_some() != self.masked {
            return Err(protocol_error(if self.masked {
                "unmasked frame from a client"
            } else {
                "masked frame from a server"
            }));
        }
        // 5.2: in a 64-bit payload length "the most significant bit MUST be 0".
        if h.len >> 63 != 0 {
            return Err(protocol_error("frame length with the top bit set"));
        }
        // 5.5: "All control frames MUST have a payload length of 125 bytes or
        // less and MUST NOT be fragmented."
        let control = kind.is_control();
        if control && (h.len > 125 || !h.fin) {
            return Err(protocol_error("control frame too long or fragmented"));
        }
        // 10.4: "implementations SHOULD impose implementation-specific limits
        // on frame size and total message size"; 7.4.1: 1009 is for "a
        // message that is too big for it to process".
        if h.len > self.max_frame {
            return Err(too_big("frame over the size limit"));
        }
        if control {
            // 5.4: "Control frames MAY be injected in the middle of a
            // fragmented message."
            return Ok(kind);
        }
        match (kind, message.kind) {
            // 5.4: a fragmented message is "a single frame with the FIN bit
            // clear and an opcode other than 0, followed by zero or more
            // frames with the FIN bit clear and the opcode set to 0, and
            // terminated by a single frame with the FIN bit set and an opcode
            // of 0": a continuation needs a message to continue...
            (FrameType::Continuation, None) => Err(protocol_error(
                "continuation frame without a message to continue",
            )),
            // ...and 5.4: "The fragments of one message MUST NOT be interleaved
            // between the fragments of another message unless an extension
            // has been negotiated that can interpret the interleaving."
            (FrameType::Text | FrameType::Binary, Some(_)) => {
                Err(protocol_error("new message inside a fragmented message"))
            }
            // The message limit (10.4, as for frames).
            _ if message.len.saturating_add(h.len) > self.max_message => {
                Err(too_big("message over the size limit"))
            }
            _ => Ok(kind),
        }
    }
}

#[cfg(test)]
mod tests;
