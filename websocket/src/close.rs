//! Close codes and close frame payloads (RFC 6455, sections 5.5.1 and 7.4).

/// Status codes of close frames, by their RFC 6455 names.
pub mod code {
    /// 1000: normal closure.
    pub const NORMAL: u16 = 1000;
    /// 1001: going away (server shutdown, page left).
    pub const GOING_AWAY: u16 = 1001;
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: u16 = 1003;
    /// 1007: data inconsistent with the message type (invalid UTF-8 in text).
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// 1008: a message that violates the endpoint's policy.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: u16 = 1010;
    /// 1011: an unexpected condition on the server.
    pub const INTERNAL_ERROR: u16 = 1011;
    /// 1012: the server is restarting; reconnect (IANA registry, not in the RFC).
    pub const SERVICE_RESTART: u16 = 1012;
    /// 1013: the server is overloaded; try again later (IANA registry).
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// 1014: a gateway got an invalid response upstream (IANA registry).
    pub const BAD_GATEWAY: u16 = 1014;
}

/// Whether `code` may appear in a close frame: 1000-1003 and 1007-1011 defined
/// by the RFC, 1012-1014 registered with IANA since (service restart, try
/// again later, bad gateway: browsers accept them), 3000-4999 for libraries
/// and applications. 1004-1006 and 1015 are reserved and never sent; the rest
/// of 0-2999 is unassigned.
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Why a received close payload is refused, with the code to fail with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadClose {
    /// 1002: a one-byte payload, or a code that may not be sent.
    Protocol(&'static str),
    /// 1007: a reason that is not UTF-8.
    Utf8,
}

/// Reads a close payload: `None` for an empty one (no code), else the code and
/// the reason (RFC 6455, section 5.5.1).
pub(crate) fn parse_close(payload: &[u8]) -> Result<Option<(u16, String)>, BadClose> {
    match payload {
        [] => Ok(None),
        [_] => Err(BadClose::Protocol("one-byte close payload")),
        [a, b, reason @ ..] => {
            let code = u16::from_be_bytes([*a, *b]);
            if !is_valid_close_code(code) {
                return Err(BadClose::Protocol("invalid close code"));
            }
            let reason = std::str::from_utf8(reason).map_err(|_| BadClose::Utf8)?;
            Ok(Some((code, reason.to_owned())))
        }
    }
}

/// The close payload for `code` and `reason`: the inverse of [`parse_close`]
/// for what it accepts.
pub(crate) fn payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.to_be_bytes());
    payload.extend_from_slice(reason.as_bytes());
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_code_ranges() {
        for valid in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
            4000, 4999,
        ] {
            assert!(is_valid_close_code(valid), "{valid}");
        }
        for invalid in [
            0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535,
        ] {
            assert!(!is_valid_close_code(invalid), "{invalid}");
        }
    }

    #[test]
    fn close_payloads() {
        assert_eq!(parse_close(&[]), Ok(None));
        assert_eq!(
            parse_close(&[3]),
            Err(BadClose::Protocol("one-byte close payload"))
        );
        assert_eq!(parse_close(&[0x03, 0xE8]), Ok(Some((1000, String::new()))));
        assert_eq!(
            parse_close(&[0x03, 0xE8, b'o', b'k']),
            Ok(Some((1000, "ok".into())))
        );
        assert!(
            matches!(parse_close(&[0x03, 0xED]), Err(BadClose::Protocol(_))),
            "1005 is reserved"
        );
        assert_eq!(parse_close(&[0x03, 0xE8, 0xFF]), Err(BadClose::Utf8));
        assert_eq!(
            parse_close(&payload(4001, "bye é")),
            Ok(Some((4001, "bye é".into())))
        );
    }
}
