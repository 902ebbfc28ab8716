//! The opening handshake (RFC 6455, section 4): checks and keys, no I/O.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use silly_net::http::Headers;

/// Appended to the client's key before hashing (RFC 6455, section 1.3).
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only protocol version (RFC 6455, section 4.4).
pub(crate) const VERSION: &str = "13";

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: base64 of the
/// SHA-1 of the key and the GUID.
pub fn accept_key(client_key: &str) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(client_key.as_bytes());
    sha.update(GUID.as_bytes());
    STANDARD.encode(sha.digest().bytes())
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
pub(crate) fn new_client_key() -> String {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&crate::random::next_u64().to_ne_bytes());
    key[8..].copy_from_slice(&crate::random::next_u64().to_ne_bytes());
    STANDARD.encode(key)
}

/// Why an upgrade request was refused, and the status to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) reason: &'static str,
}

fn refuse(status: u16, reason: &'static str) -> Refusal {
    Refusal { status, reason }
}

/// Checks a client's upgrade request (RFC 6455, section 4.2.1) and returns its
/// key. 400 for a malformed request, 426 for another protocol version.
pub(crate) fn check_request(
    method: &str,
    http11: bool,
    headers: &Headers,
) -> Result<String, Refusal> {
    if method != "GET" {
        return Err(refuse(400, "a WebSocket handshake is a GET request"));
    }
    if !http11 {
        return Err(refuse(400, "a WebSocket handshake needs HTTP/1.1"));
    }
    if !headers.has_token("upgrade", "websocket") {
        return Err(refuse(400, "missing Upgrade: websocket"));
    }
    if !headers.has_token("connection", "upgrade") {
        return Err(refuse(400, "missing Connection: Upgrade"));
    }
    if headers.get("sec-websocket-version").map(str::trim) != Some(VERSION) {
        return Err(refuse(
            426,
            "unsupported Sec-WebSocket-Version (13 is supported)",
        ));
    }
    let key = headers
        .get("sec-websocket-key")
        .map(str::trim)
        .unwrap_or("");
    match STANDARD.decode(key) {
        Ok(raw) if raw.len() == 16 => Ok(key.to_owned()),
        _ => Err(refuse(400, "Sec-WebSocket-Key must be 16 bytes in base64")),
    }
}

/// The first of our `protocols` that the client offered, if any.
pub(crate) fn pick_protocol(ours: &[String], headers: &Headers) -> Option<String> {
    let offered: Vec<&str> = headers
        .get_all("sec-websocket-protocol")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    ours.iter().find(|p| offered.contains(&p.as_str())).cloned()
}

/// Checks the server's answer to our upgrade request (RFC 6455, section 4.1);
/// its extensions are checked by [`crate::deflate::check_response`].
pub(crate) fn check_response(
    status: u16,
    headers: &Headers,
    key: &str,
    offered: &[String],
) -> Result<Option<String>, String> {
    if status != 101 {
        return Err(format!(
            "the server answered {status}, not 101 Switching Protocols"
        ));
    }
    if !headers.has_token("upgrade", "websocket") {
        return Err("response lacks Upgrade: websocket".into());
    }
    if !headers.has_token("connection", "upgrade") {
        return Err("response lacks Connection: Upgrade".into());
    }
    if headers.get("sec-websocket-accept").map(str::trim) != Some(accept_key(key).as_str()) {
        return Err("wrong Sec-WebSocket-Accept".into());
    }
    match headers.get("sec-websocket-protocol").map(str::trim) {
        None => Ok(None),
        Some(p) if offered.iter().any(|o| o == p) => Ok(Some(p.to_owned())),
        Some(p) => Err(format!(
            "the server chose subprotocol {p:?}, which we did not offer"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in pairs {
            h.append(*n, *v);
        }
        h
    }

    #[test]
    fn accept_key_of_the_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn request_checks() {
        let good = [
            ("Upgrade", "WebSocket"),
            ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        assert_eq!(
            check_request("GET", true, &headers(&good)).unwrap(),
            "dGhlIHNhbXBsZSBub25jZQ=="
        );
        assert_eq!(
            check_request("POST", true, &headers(&good))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            check_request("GET", false, &headers(&good))
                .unwrap_err()
                .status,
            400
        );
        let mut v12 = good;
        v12[2] = ("Sec-WebSocket-Version", "12");
        assert_eq!(
            check_request("GET", true, &headers(&v12))
                .unwrap_err()
                .status,
            426
        );
        let mut short_key = good;
        short_key[3] = ("Sec-WebSocket-Key", "c2hvcnQ=");
        assert_eq!(
            check_request("GET", true, &headers(&short_key))
                .unwrap_err()
                .status,
            400
        );
        let mut no_conn = good;
        no_conn[1] = ("Connection", "keep-alive");
        assert_eq!(
            check_request("GET", true, &headers(&no_conn))
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn response_checks_and_protocols() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let ok = headers(&[
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        ]);
        assert_eq!(check_response(101, &ok, key, &[]), Ok(None));
        assert!(check_response(200, &ok, key, &[]).is_err());
        let wrong = headers(&[
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", "AAAA"),
        ]);
        assert_eq!(
            check_response(101, &wrong, key, &[]).unwrap_err(),
            "wrong Sec-WebSocket-Accept"
        );
        let offered = headers(&[("Sec-WebSocket-Protocol", "a, chat")]);
        assert_eq!(
            pick_protocol(&["chat".into(), "a".into()], &offered),
            Some("chat".into())
        );
        assert_eq!(pick_protocol(&["x".into()], &offered), None);
    }
}
