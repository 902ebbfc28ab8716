//! `get`, `post` and `request`: the runtime's default client.

use super::requester::Client;
use super::response::Response;
use crate::http::error::Result;

/// The client of [`get`], [`post`] and [`request`]: one per runtime, so its
/// pooled connections end with the runtime that made them (a `thread_local!`
/// would hand them to the next runtime on the thread, where they cannot work).
struct DefaultClient(Client);

/// `GET url` with the runtime's default client; see [`Client::request`].
///
/// # Errors
///
/// As [`Client::request`].
///
/// # Interrupts
///
/// As [`Client::request`].
pub fn get(url: &str) -> Result<Response> {
    request("GET", url, &[], b"")
}

/// `POST url` with `headers` and `body`; see [`Client::request`].
///
/// # Errors
///
/// As [`Client::request`].
///
/// # Interrupts
///
/// As [`Client::request`].
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Response> {
    request("POST", url, headers, body)
}

/// Any request, with the runtime's default client; see [`Client::request`].
///
/// # Errors
///
/// As [`Client::request`].
///
/// # Interrupts
///
/// As [`Client::request`].
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Response> {
    let client = silly_runtime::runtime_local(|| DefaultClient(Client::default()));
    client.0.request(method, url, headers, body)
}
