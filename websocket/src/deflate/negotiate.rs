//! Negotiating permessage-deflate (RFC 7692, section 7.1) in the
//! `Sec-WebSocket-Extensions` headers: the client's offer, the server's choice
//! and answer, the client's check of that answer. No I/O.

use super::settings::{Compression, ContextMode};

/// The extension's name (RFC 7692, section 7).
const NAME: &str = "permessage-deflate";

/// What both ends agreed on, as the RFC names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Agreed {
    pub(crate) server_no_context_takeover: bool,
    pub(crate) client_no_context_takeover: bool,
    /// 8..=15; 15 when not limited.
    pub(crate) server_max_window_bits: u8,
    pub(crate) client_max_window_bits: u8,
}

/// One direction of a connection, as our side sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Direction {
    /// Whether the LZ77 window carries over from message to message.
    pub(crate) takeover: bool,
    /// Largest window the compressor of this direction may use.
    pub(crate) window_bits: u8,
}

impl Agreed {
    /// Our sending and receiving directions: a server sends what the RFC
    /// calls the server's, a client the client's.
    pub(crate) fn directions(&self, client: bool) -> (Direction, Direction) {
        let server = Direction {
            takeover: !self.server_no_context_takeover,
            window_bits: self.server_max_window_bits,
        };
        let client_side = Direction {
            takeover: !self.client_no_context_takeover,
            window_bits: self.client_max_window_bits,
        };
        if client {
            (client_side, server)
        } else {
            (server, client_side)
        }
    }
}

/// The parameters of one permessage-deflate offer or response, checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: present without a value (allowed in an offer only).
    client_max_window_bits: Option<Option<u8>>,
}

/// One extension of a `Sec-WebSocket-Extensions` list: its name and
/// parameters (values unquoted).
type Extension = (String, Vec<(String, Option<String>)>);

/// Splits header values into extensions (RFC 6455, section 9.1):
/// `name; param; param=value, name2 ...`, a value a token or a quoted string.
/// `None` when the syntax is broken.
fn parse_extensions<'a>(values: impl Iterator<Item = &'a str>) -> Option<Vec<Extension>> {
    let mut out = Vec::new();
    for value in values {
        for item in split_outside_quotes(value, ',')? {
            let mut parts = split_outside_quotes(item, ';')?.into_iter();
            let name = parts.next()?.trim();
            if name.is_empty() && item.trim().is_empty() {
                continue; // "a, , b": an empty list element is allowed
            }
            if !is_token(name) {
                return None;
            }
            let mut params = Vec::new();
            for param in parts {
                let (key, value) = match param.split_once('=') {
                    Some((k, v)) => (k.trim(), Some(unquote(v.trim())?)),
                    None => (param.trim(), None),
                };
                if !is_token(key) {
                    return None;
                }
                params.push((key.to_ascii_lowercase(), value));
            }
            out.push((name.to_ascii_lowercase(), params));
        }
    }
    Some(out)
}

/// Splits `s` at `sep` where it is not inside a quoted string.
fn split_outside_quotes(s: &str, sep: char) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return None;
    }
    parts.push(&s[start..]);
    Some(parts)
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A token, or a quoted string unquoted (RFC 7692, section 7.1: a value in
/// quoted-string form must, unquoted, follow the same syntax).
fn unquote(v: &str) -> Option<String> {
    match v.strip_prefix('"') {
        Some(rest) => {
            let inner = rest.strip_suffix('"')?;
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' { chars.next()? } else { c });
            }
            is_token(&out).then_some(out)
        }
        None => is_token(v).then(|| v.to_owned()),
    }
}

/// A window bits value: "a decimal integer value without leading zeros
/// between 8 to 15, inclusive" (RFC 7692, section 7.1.2.1).
fn window_bits(v: &str) -> Option<u8> {
    match v.as_bytes() {
        [d @ b'8'..=b'9'] => Some(d - b'0'),
        [b'1', d @ b'0'..=b'5'] => Some(10 + d - b'0'),
        _ => None,
    }
}

/// Checks the parameters of one offer or response (RFC 7692, section 7.1):
/// only the four known names, each at most once, values where they belong.
/// `None` for a broken set.
fn parse_params(params: &[(String, Option<String>)]) -> Option<Params> {
    let mut p = Params::default();
    let mut seen = [false; 4];
    for (name, value) in params {
        let slot = match name.as_str() {
            "server_no_context_takeover" if value.is_none() => {
                p.server_no_context_takeover = true;
                0
            }
            "client_no_context_takeover" if value.is_none() => {
                p.client_no_context_takeover = true;
                1
            }
            "server_max_window_bits" => {
                p.server_max_window_bits = Some(window_bits(value.as_deref()?)?);
                2
            }
            "client_max_window_bits" => {
                p.client_max_window_bits = Some(match value {
                    Some(v) => Some(window_bits(v)?),
                    None => None,
                });
                3
            }
            _ => return None,
        };
        // 7.1: an offer or response with "multiple parameters with the same
        // name" is invalid.
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
    }
    Some(p)
}

/// Server side: the first acceptable permessage-deflate offer among the
/// request's `Sec-WebSocket-Extensions` values, answered. Returns the
/// response header value and what was agreed; `None` declines compression
/// (no offer, or none valid: RFC 7692, section 5, "the server MUST decline
/// an offer" it cannot accept, and may accept another).
pub(crate) fn accept<'a>(
    values: impl Iterator<Item = &'a str>,
    ours: &Compression,
) -> Option<(String, Agreed)> {
    let extensions = parse_extensions(values)?;
    let offer = extensions
        .iter()
        .filter(|(name, _)| name == NAME)
        .find_map(|(_, params)| parse_params(params))?;
    let shared = ours.mode == ContextMode::Shared;
    let mut response = String::from(NAME);
    // 7.1.1.1: accepting server_no_context_takeover means including it. In
    // shared mode we do so unasked: a server may always refrain from
    // taking over, and it says so.
    let server_no_context_takeover = offer.server_no_context_takeover || shared;
    if server_no_context_takeover {
        response.push_str("; server_no_context_takeover");
    }
    // 7.1.1.2: "a server MAY include the client_no_context_takeover extension
    // parameter in the corresponding extension negotiation response ... even
    // if the offer doesn't have it": shared mode's decompressor needs it.
    let client_no_context_takeover = offer.client_no_context_takeover || shared;
    if client_no_context_takeover {
        response.push_str("; client_no_context_takeover");
    }
    // 7.1.2.1: accepted with "the same or smaller value as the offer".
    let server_max_window_bits = match offer.server_max_window_bits {
        Some(bits) => {
            let bits = bits.min(ours.window_bits);
            response.push_str(&format!("; server_max_window_bits={bits}"));
            bits
        }
        None => ours.window_bits,
    };
    // 7.1.2.2: only when offered, then with a value; per-connection mode
    // asks for our window to bound each connection's decompressor.
    let client_max_window_bits = match offer.client_max_window_bits {
        Some(offered) => {
            let bits = offered.unwrap_or(15);
            if !shared && ours.window_bits < bits {
                response.push_str(&format!("; client_max_window_bits={}", ours.window_bits));
                ours.window_bits
            } else {
                bits
            }
        }
        None => 15,
    };
    Some((
        response,
        Agreed {
            server_no_context_takeover,
            client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        },
    ))
}

/// Client side: the `Sec-WebSocket-Extensions` offer for `ours`. The first
/// offer is the one wanted, the second a fallback a stricter server may take.
pub(crate) fn offer(ours: &Compression) -> String {
    match ours.mode {
        ContextMode::Shared => format!(
            "{NAME}; server_no_context_takeover; client_no_context_takeover; \
             client_max_window_bits, {NAME}; client_no_context_takeover; client_max_window_bits"
        ),
        ContextMode::PerConnection if ours.window_bits < 15 => format!(
            "{NAME}; server_max_window_bits={}; client_max_window_bits, \
             {NAME}; client_max_window_bits",
            ours.window_bits
        ),
        ContextMode::PerConnection => format!("{NAME}; client_max_window_bits"),
    }
}

/// Client side: checks the server's `Sec-WebSocket-Extensions` answer to
/// [`offer`]. `Ok(None)`: the server declined. An answer that is not one valid
/// permessage-deflate response fails the handshake (RFC 7692, section 7.1:
/// the client "MUST _Fail the WebSocket Connection_").
pub(crate) fn check_response<'a>(
    values: impl Iterator<Item = &'a str>,
    ours: Option<&Compression>,
) -> Result<Option<Agreed>, String> {
    let extensions =
        parse_extensions(values).ok_or("malformed Sec-WebSocket-Extensions in the response")?;
    let Some(ours) = ours else {
        return match extensions.is_empty() {
            true => Ok(None),
            false => Err("the server enabled an extension we did not offer".into()),
        };
    };
    let (name, params) = match extensions.as_slice() {
        [] => return Ok(None),
        [one] => one,
        _ => return Err("the server enabled more than one extension".into()),
    };
    if name != NAME {
        return Err(format!(
            "the server enabled extension {name:?}, which we did not offer"
        ));
    }
    let p = parse_params(params).ok_or("invalid permessage-deflate parameters in the response")?;
    // 7.1.2.2: the server's client_max_window_bits "MUST have a value".
    let client_max_window_bits = match p.client_max_window_bits {
        Some(Some(bits)) => bits,
        Some(None) => return Err("client_max_window_bits without a value in the response".into()),
        None => 15,
    };
    // A server_max_window_bits is the server's promise; our decompressor
    // takes any window up to 15 bits whatever it says.
    let server_max_window_bits = p.server_max_window_bits.unwrap_or(15);
    Ok(Some(Agreed {
        server_no_context_takeover: p.server_no_context_takeover,
        // Shared mode promised it in every offer it made.
        client_no_context_takeover: p.client_no_context_takeover
            || ours.mode == ContextMode::Shared,
        server_max_window_bits,
        client_max_window_bits,
    }))
}

#[cfg(test)]
mod tests;
