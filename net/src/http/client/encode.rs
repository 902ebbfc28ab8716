//! A request head, written out.

use std::fmt::Write as _;

use url::Url;

use crate::http::error::Result;
use crate::http::headers::check_outgoing;

/// The request line and headers of `method url`, with `Host` and a
/// `Content-Length` for `body` added unless `headers` has them (checked: no
/// header injection).
pub(super) fn encode_request(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<u8>> {
    check_outgoing(method, "")?;
    let mut head = String::with_capacity(256);
    let target = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    let _ = write!(head, "{method} {target} HTTP/1.1\r\n");
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has("host") {
        let host = url.host_str().unwrap_or_default();
        match url.port() {
            Some(port) => {
                let _ = write!(head, "Host: {host}:{port}\r\n");
            }
            None => {
                let _ = write!(head, "Host: {host}\r\n");
            }
        }
    }
    for &(name, value) in headers {
        check_outgoing(name, value)?;
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let sends_body = !body.is_empty()
        || ["POST", "PUT", "PATCH"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
    if sends_body && !has("content-length") && !has("transfer-encoding") {
        let _ = write!(head, "Content-Length: {}\r\n", body.len());
    }
    head.push_str("\r\n");
    Ok(head.into_bytes())
}
