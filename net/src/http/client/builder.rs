//! A client request with per-request settings, built step by step.

use std::fmt;
use std::time::{Duration, Instant};

use super::reader::ResponseReader;
use super::requester::Client;
use super::response::Response;
use crate::http::error::Result;

/// A request being prepared by [`Client::build_request`]: headers, a body, and
/// time limits of its own. Nothing is sent until [`send`](Self::send) or
/// [`send_streaming`](Self::send_streaming).
///
/// Time limits: by default the client's
/// [`request_timeout`](super::ClientConfig::request_timeout) bounds the whole
/// request; [`timeout`](Self::timeout) replaces it for this request, and
/// [`deadline`](Self::deadline) adds a fixed instant (such as the deadline of the
/// request a server is answering). The earliest limit applies, on top of the
/// client's per-step `connect_timeout` and `read_timeout`; the error is
/// [`Error::Timeout`](crate::http::Error::Timeout) with the [`Phase`](crate::http::Phase)
/// that was under way.
///
/// ```no_run
/// use silly_net::http::Client;
/// use silly_runtime::time;
/// use std::time::Duration;
/// silly_runtime::run(|| {
///     let client = Client::default();
///     // Everything this handler does must end within 3 s.
///     let deadline = time::deadline(Some(Duration::from_secs(3)));
///     let user = client
///         .build_request("GET", "http://127.0.0.1:8080/user/7")
///         .header("Accept", "application/json")
///         .deadline(deadline)
///         .send()
///         .unwrap();
///     let avatar = client
///         .build_request("GET", "http://127.0.0.1:8080/avatar/7")
///         .deadline(deadline)
///         .timeout(Some(Duration::from_millis(500)))
///         .send()
///         .unwrap();
///     assert_eq!((user.status, avatar.status), (200, 200));
/// });
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a> {
    client: &'a Client,
    method: &'a str,
    url: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    /// `None`: the client's `request_timeout`; `Some(None)`: no total limit.
    timeout: Option<Option<Duration>>,
    deadline: Option<Instant>,
}

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl<'a> RequestBuilder<'a> {
    fn new(client: &'a Client, method: &'a str, url: &'a str) -> Self {
        RequestBuilder {
            client,
            method,
            url,
            headers: Vec::new(),
            body: b"",
            timeout: None,
            deadline: None,
        }
    }

    /// Adds a header field (checked when the request is sent).
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds header fields.
    pub fn headers(mut self, fields: &[(&'a str, &'a str)]) -> Self {
        self.headers.extend_from_slice(fields);
        self
    }

    /// The request body (default: none).
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Longest time for the whole request, counted from the send: connect,
    /// send, response head and body, redirects included. Replaces the client's
    /// `request_timeout` for this request; `None` turns the total limit off
    /// for it (the step timeouts still apply).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// An instant by which the whole request must be done, whatever the
    /// timeouts allow (`None`: no such instant, as a
    /// [`time::deadline`](silly_runtime::time::deadline) of `None` gives).
    pub fn deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sends the request and reads the whole response; see [`Client::request`].
    ///
    /// # Errors
    ///
    /// As [`Client::request`].
    ///
    /// # Interrupts
    ///
    /// As [`Client::request`].
    pub fn send(self) -> Result<Response> {
        self.send_streaming()?.into_response()
    }

    /// Sends the request and returns once the response head has arrived; the
    /// body is read from the [`ResponseReader`], within the same time limits.
    /// See [`Client::send`].
    ///
    /// # Errors
    ///
    /// As [`Client::request`].
    ///
    /// # Interrupts
    ///
    /// As [`Client::send`].
    pub fn send_streaming(self) -> Result<ResponseReader<'a>> {
        let deadline = self.client.total_deadline(self.timeout, self.deadline);
        self.client
            .send_until(self.method, self.url, &self.headers, self.body, deadline)
    }
}

impl Client {
    /// A request with per-request settings (headers one by one, a body, its own
    /// timeout or deadline), sent with [`RequestBuilder::send`].
    ///
    /// ```no_run
    /// use silly_net::http::Client;
    /// use std::time::Duration;
    /// silly_runtime::run(|| {
    ///     let client = Client::default();
    ///     let response = client
    ///         .build_request("POST", "http://127.0.0.1:8080/api")
    ///         .header("Content-Type", "application/json")
    ///         .body(br#"{"x":1}"#)
    ///         .timeout(Some(Duration::from_secs(2)))
    ///         .send()
    ///         .unwrap();
    ///     assert_eq!(response.status, 200);
    /// });
    /// ```
    pub fn build_request<'a>(&'a self, method: &'a str, url: &'a str) -> RequestBuilder<'a> {
        RequestBuilder::new(self, method, url)
    }
}
