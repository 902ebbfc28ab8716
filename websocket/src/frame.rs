//! Frame headers (RFC 6455, section 5.2): parsing and encoding, no I/O.

/// The kind of a frame, and of what [`Socket::read`](crate::Socket::read) returns.
/// The default is `Binary`, silly's default for `write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FrameType {
    /// A UTF-8 text message.
    Text,
    /// A binary message.
    #[default]
    Binary,
    /// A ping (control frame, at most 125 bytes).
    Ping,
    /// A pong (control frame, at most 125 bytes).
    Pong,
    /// A close frame: the connection is closing.
    Close,
    /// A fragment continuing a message (only on the wire; `read` reassembles).
    Continuation,
}

impl FrameType {
    pub(crate) fn opcode(self) -> u8 {
        match self {
            FrameType::Continuation => 0x0,
            FrameType::Text => 0x1,
            FrameType::Binary => 0x2,
            FrameType::Close => 0x8,
            FrameType::Ping => 0x9,
            FrameType::Pong => 0xA,
        }
    }

    /// `None` for the reserved opcodes 0x3-0x7 and 0xB-0xF.
    pub(crate) fn from_opcode(opcode: u8) -> Option<FrameType> {
        Some(match opcode {
            0x0 => FrameType::Continuation,
            0x1 => FrameType::Text,
            0x2 => FrameType::Binary,
            0x8 => FrameType::Close,
            0x9 => FrameType::Ping,
            0xA => FrameType::Pong,
            _ => return None,
        })
    }

    /// Ping, pong and close.
    pub fn is_control(self) -> bool {
        matches!(self, FrameType::Ping | FrameType::Pong | FrameType::Close)
    }
}

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) fin: bool,
    /// RSV1-3 as the low three bits.
    pub(crate) rsv: u8,
    pub(crate) opcode: u8,
    pub(crate) mask: Option<[u8; 4]>,
    pub(crate) len: u64,
    /// Bytes the header took on the wire.
    pub(crate) size: usize,
}

/// Largest frame header: 2 + 8 (64-bit length) + 4 (mask).
pub(crate) const MAX_HEADER: usize = 14;

/// Parses the header at the start of `buf`; `None` if more bytes are needed.
/// Never fails: what a header says is checked by the reader.
pub(crate) fn parse_header(buf: &[u8]) -> Option<Header> {
    let [b0, b1, ..] = *buf else { return None };
    let masked = b1 & 0x80 != 0;
    let (len, mut size) = match b1 & 0x7F {
        126 => (
            u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?) as u64,
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        n => (n as u64, 2),
    };
    let mask = if masked {
        let key: [u8; 4] = buf.get(size..size + 4)?.try_into().ok()?;
        size += 4;
        Some(key)
    } else {
        None
    };
    Some(Header {
        fin: b0 & 0x80 != 0,
        rsv: (b0 >> 4) & 0x7,
        opcode: b0 & 0x0F,
        mask,
        len,
        size,
    })
}

/// Encodes a header with the shortest length form (RFC 6455, section 5.2:
/// "the minimal number of bytes MUST be used to encode the length"); returns
/// the bytes and how many of them are used. `rsv1` marks a compressed
/// message's first frame (RFC 7692, section 6.1).
pub(crate) fn encode_header(
    fin: bool,
    rsv1: bool,
    opcode: u8,
    mask: Option<[u8; 4]>,
    len: u64,
) -> ([u8; MAX_HEADER], usize) {
    let mut out = [0u8; MAX_HEADER];
    out[0] = if fin { 0x80 } else { 0 } | if rsv1 { 0x40 } else { 0 } | opcode;
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut size = if len < 126 {
        out[1] = mask_bit | len as u8;
        2
    } else if len <= u16::MAX as u64 {
        out[1] = mask_bit | 126;
        out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        out[1] = mask_bit | 127;
        out[2..10].copy_from_slice(&len.to_be_bytes());
        10
    };
    if let Some(key) = mask {
        out[size..size + 4].copy_from_slice(&key);
        size += 4;
    }
    (out, size)
}

#[cfg(test)]
mod tests;
