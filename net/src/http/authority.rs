//! The syntax of an authority, `uri-host [ ":" port ]` (RFC 3986, section
//! 3.2): what a `Host` header holds (RFC 9110, section 7.2) and what an
//! absolute-form request target names. No I/O here.

use std::net::Ipv6Addr;

/// `uri-host [ ":" port ]`: a bracketed IPv6 (or IPvFuture) literal, or a
/// reg-name (which IPv4 addresses are), then an optional port of at most
/// 65535. Empty is valid: RFC 9112 section 3.2 has a client send an empty
/// `Host` for a target without authority.
pub(crate) fn valid_authority(value: &[u8]) -> bool {
    // Most values are a reg-name (`example.com`), maybe with a port: one tight
    // pass for them (this runs on every request), the rest out of line.
    let Some(i) = value.iter().position(|&b| !REG_NAME[usize::from(b)]) else {
        return true;
    };
    match value[i] {
        b':' => valid_port(&value[i + 1..]),
        _ => valid_authority_rest(value, i),
    }
}

/// [`valid_authority`] past its first byte `i` that is not a reg-name's own:
/// an IP literal, or a percent-encoded byte.
#[cold]
#[inline(never)]
fn valid_authority_rest(value: &[u8], mut i: usize) -> bool {
    if i == 0 {
        if let Some(literal) = value.strip_prefix(b"[") {
            return match literal.iter().position(|&b| b == b']') {
                Some(end) => {
                    valid_ip_literal(&literal[..end]) && valid_port_part(&literal[end + 1..])
                }
                None => false,
            };
        }
    }
    // `*( unreserved / pct-encoded / sub-delims )`, then the port.
    while let Some(&b) = value.get(i) {
        if REG_NAME[usize::from(b)] {
            i += 1;
        } else if b == b'%' {
            let hex = |j: usize| value.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            return valid_port_part(&value[i..]);
        }
    }
    true
}

/// What may follow a host: nothing, or `:` and a port.
fn valid_port_part(rest: &[u8]) -> bool {
    match rest {
        [] => true,
        [b':', port @ ..] => valid_port(port),
        _ => false,
    }
}

/// The inside of `[...]`: an IPv6 address, or `v` HEXDIG+ `.` then
/// unreserved, sub-delims or `:` (IPvFuture).
fn valid_ip_literal(inside: &[u8]) -> bool {
    if let Some(future) = inside.strip_prefix(b"v").or(inside.strip_prefix(b"V")) {
        let Some(dot) = future.iter().position(|&b| b == b'.') else {
            return false;
        };
        let (version, tail) = (&future[..dot], &future[dot + 1..]);
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !tail.is_empty()
            && tail.iter().all(|&b| b == b':' || REG_NAME[usize::from(b)]);
    }
    std::str::from_utf8(inside).is_ok_and(|text| text.parse::<Ipv6Addr>().is_ok())
}

/// `*DIGIT` (empty allowed, as RFC 3986 does), no more than 65535.
fn valid_port(port: &[u8]) -> bool {
    if port.len() > 5 {
        return false;
    }
    let mut n = 0u32;
    for &d in port {
        if !d.is_ascii_digit() {
            return false;
        }
        n = n * 10 + u32::from(d - b'0');
    }
    n <= 65535
}

/// The bytes a reg-name may hold as they are: unreserved (`A-Z a-z 0-9 - . _
/// ~`) and sub-delims (`! $ & ' ( ) * + , ; =`). One lookup per byte: this
/// runs on every request.
static REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let others = b"-._~!$&'()*+,;=";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests;
