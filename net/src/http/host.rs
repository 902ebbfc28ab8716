//! The request's `Host` (RFC 9112, section 3.2): present once in every
//! HTTP/1.1 request, and a valid `uri-host [ ":" port ]` (RFC 9110, section
//! 7.2); an absolute-form target's authority replaces it (section 3.2.2). No
//! I/O here.

use std::net::Ipv6Addr;

use super::head::{HeadError, RequestHead, Version};

/// Checks the request's `Host` and brings an absolute-form target
/// (`GET http://example.com/a HTTP/1.1`) to origin form: the target becomes
/// its path and query (`/a`) and `Host` its authority, so handlers route every
/// request alike (RFC 9112, section 3.2.2: the target's authority wins over a
/// received `Host`). Refused, with 400: an HTTP/1.1 request without `Host`
/// (HTTP/1.0 may omit it), more than one `Host` line, a `Host` that is not a
/// valid authority, and an absolute `http`/`https` target whose authority is
/// empty, invalid or carries user info.
pub(crate) fn check(head: &mut RequestHead) -> Result<(), HeadError> {
    match head.seen.hosts {
        0 if head.version == Version::Http11 => {
            return Err(HeadError::Malformed("missing Host header"))
        }
        0 => {}
        1 => {
            let value = head.headers.get("host").unwrap_or_default();
            if !valid_authority(value.as_bytes()) {
                return Err(HeadError::Malformed("invalid Host header"));
            }
        }
        _ => return Err(HeadError::Malformed("more than one Host header")),
    }
    if !head.target.starts_with('/') {
        to_origin_form(head)?;
    }
    Ok(())
}

/// See [`check`]: an `http://` or `https://` target is split into its
/// authority, which replaces `Host`, and the path and query, which stay the
/// target. Other forms (`*`, a CONNECT authority) are left as they are.
fn to_origin_form(head: &mut RequestHead) -> Result<(), HeadError> {
    let target = head.target.as_str();
    let Some(scheme_end) = target.find("://") else {
        return Ok(());
    };
    let scheme = &target[..scheme_end];
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let rest = &target[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    // An http URI needs a host (RFC 9110, section 4.2.1); user info (`@`) is
    // not in the grammar below, so it is refused too (section 4.2.4).
    if authority.is_empty() || !valid_authority(authority.as_bytes()) {
        return Err(HeadError::Malformed(
            "invalid authority in the request target",
        ));
    }
    let path = &rest[authority_end..];
    let origin_form = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    head.headers.set("Host", authority);
    head.seen.hosts = 1;
    head.target = origin_form;
    Ok(())
}

/// `uri-host [ ":" port ]` (RFC 3986, section 3.2.2): a bracketed IPv6 (or
/// IPvFuture) literal, or a reg-name (which IPv4 addresses are), then an
/// optional port of at most 65535. Empty is valid: RFC 9112 section 3.2 has
/// a client send an empty `Host` for a target without authority.
pub(crate) fn valid_authority(value: &[u8]) -> bool {
    let (host_ok, rest) = if let Some(literal) = value.strip_prefix(b"[") {
        match literal.iter().position(|&b| b == b']') {
            Some(end) => (valid_ip_literal(&literal[..end]), &literal[end + 1..]),
            None => return false,
        }
    } else {
        let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
        (valid_reg_name(&value[..end]), &value[end..])
    };
    host_ok
        && match rest {
            [] => true,
            [b':', port @ ..] => valid_port(port),
            _ => false,
        }
}

/// `*( unreserved / pct-encoded / sub-delims )`.
fn valid_reg_name(name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        if REG_NAME[usize::from(name[i])] {
            i += 1;
        } else if name[i] == b'%' {
            let hex = |j: usize| name.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            return false;
        }
    }
    true
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
    port.len() <= 5
        && port.iter().all(u8::is_ascii_digit)
        && port.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 65535
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
