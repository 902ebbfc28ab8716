//! The client: a request from connect to response head, redirects followed.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

use url::Url;

use super::address::{parse_url, PoolKey};
use super::config::ClientConfig;
use super::deadline::{earliest, in_phase, step_deadline};
use super::encode::encode_request;
use super::pool::Pool;
use super::reader::ResponseReader;
use super::redirect::{self, Hop};
use super::response::Response;
use crate::conn::Conn;
use crate::http::body::Body;
use crate::http::error::{Error, Phase, ResponseError, Result};
use crate::http::head::{self, BodyKind, Version};
use crate::http::upgraded::Upgraded;
use crate::http::wire::Wire;
use crate::tcp::TcpStream;
use crate::tls::TlsStream;
use silly_runtime::time;

/// An HTTP client with its own connection pool. The free functions [`get`](crate::http::get),
/// [`post`](crate::http::post) and [`request`](crate::http::request) use one per runtime with the default config.
///
/// # Connection reuse
///
/// A connection goes back to the pool when its response has been read to the
/// end and neither side asked to close it. Before a pooled connection carries a
/// request, a non-blocking read checks it: if the server has closed it (its
/// keep-alive timeout may be shorter than `idle_timeout`) or sent anything
/// unasked, it is dropped and the next one (or a new connection) is used, so
/// no request is written into a connection already closed. A pooled connection
/// that still breaks before the response head (the server closed it at that very
/// moment) is retried on a new connection for idempotent methods only (GET,
/// HEAD, OPTIONS, PUT, DELETE, TRACE); any other request returns the error, as
/// the server may have acted on it.
///
/// ```no_run
/// use silly_net::http::{Client, ClientConfig};
/// silly_runtime::run(|| {
///     let client = Client::new(ClientConfig::default().max_redirects(5)).unwrap();
///     let page = client.get("https://example.com/").unwrap();
///     assert_eq!(page.status, 200);
/// });
/// ```
pub struct Client {
    pub(super) config: ClientConfig,
    pool: Pool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("idle_connections", &self.pool.len())
            .finish()
    }
}

/// A client with the default config (which is valid).
impl Default for Client {
    fn default() -> Client {
        Client::with_checked(ClientConfig::default())
    }
}

fn idempotent(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

impl Client {
    /// A client with `config` and an empty pool.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if `config` is not valid ([`ClientConfig::check`]).
    pub fn new(config: ClientConfig) -> Result<Client> {
        config.check()?;
        Ok(Client::with_checked(config))
    }

    /// A client with `config`, which has been checked.
    fn with_checked(config: ClientConfig) -> Client {
        let pool = Pool::new(config.max_idle_per_host, config.idle_timeout);
        Client { config, pool }
    }

    /// `GET url`.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request).
    ///
    /// # Interrupts
    ///
    /// As [`request`](Self::request).
    pub fn get(&self, url: &str) -> Result<Response> {
        self.request("GET", url, &[], b"")
    }

    /// `POST url`.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request).
    ///
    /// # Interrupts
    ///
    /// As [`request`](Self::request).
    pub fn post(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Response> {
        self.request("POST", url, headers, body)
    }

    /// Sends a request and reads the whole response. `Host`, and `Content-Length`
    /// for a body, are added unless given. Redirects are followed only up to
    /// `max_redirects` (default none). The config's `request_timeout`, if set,
    /// bounds the whole call; [`build_request`](Self::build_request) sets time
    /// limits per request.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] (bad URL, or a scheme other than http/https),
    /// [`Error::InvalidHeader`], [`Error::Io`] (connect, TLS, a broken
    /// connection), [`Error::Timeout`] with the [`Phase`] that ran out of time,
    /// [`Error::InvalidResponse`], [`Error::InvalidBody`],
    /// [`Error::BodyTooLarge`] past `max_response_body_bytes`, [`Error::TooManyRedirects`].
    ///
    /// # Interrupts
    ///
    /// Closed for this request, whole for the client: a request cut at any
    /// point (connecting, sending, waiting for or reading the response) drops
    /// its connection, which never goes back to the pool half used; the
    /// client's next request goes on another connection and gets its own
    /// complete answer.
    pub fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response> {
        self.send(method, url, headers, body)?.into_response()
    }

    /// Sends a request and returns once the response head has arrived; the body is
    /// read from the returned [`ResponseReader`] (the streaming form). The
    /// config's `request_timeout` counts from this call to the end of the body.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request).
    ///
    /// # Interrupts
    ///
    /// As [`request`](Self::request) until the head has arrived; then the
    /// [`ResponseReader`]'s reads are whole.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<ResponseReader<'_>> {
        self.send_until(method, url, headers, body, self.total_deadline(None, None))
    }

    /// The total deadline of a request starting now: `timeout` from now (if
    /// not given, the config's `request_timeout`), or `deadline` if that comes
    /// first; `None` (no limit) if none is set or the instant cannot be
    /// represented.
    pub(super) fn total_deadline(
        &self,
        timeout: Option<Option<Duration>>,
        deadline: Option<Instant>,
    ) -> Option<Instant> {
        let timeout = timeout.unwrap_or(self.config.request_timeout);
        earliest(deadline, time::deadline(timeout))
    }

    /// [`send`](Self::send) under the total deadline `deadline`.
    pub(super) fn send_until(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: Option<Instant>,
    ) -> Result<ResponseReader<'_>> {
        let mut hop = Hop {
            url: parse_url(url)?,
            method: method.to_owned(),
            headers: Cow::Borrowed(headers),
            body,
        };
        let mut redirects = 0;
        loop {
            let mut reader =
                self.send_once(&hop.method, &hop.url, &hop.headers, hop.body, deadline)?;
            let location = redirect::location(reader.status(), reader.headers());
            let Some(location) = location.filter(|_| self.config.max_redirects > 0) else {
                return Ok(reader);
            };
            if redirects == self.config.max_redirects {
                return Err(Error::TooManyRedirects);
            }
            redirects += 1;
            // Finish this response so its connection can be reused.
            let mut sink = [0u8; 4096];
            while reader.read(&mut sink)? > 0 {}
            let status = reader.status();
            drop(reader);
            hop.follow(status, location, self.config.redirect_https_to_http)?;
        }
    }

    /// Sends `GET url` with `headers` (which should ask for an upgrade) and
    /// returns the response. On `101 Switching Protocols`, also returns the
    /// connection and any bytes the server sent past the response head; the
    /// connection then belongs to the caller (WebSocket clients use this).
    /// Any other response is read up to `max_response_body_bytes` of its
    /// body (the rest is not read, and the connection is closed). The
    /// config's `request_timeout` bounds the exchange, not the connection's
    /// later life.
    ///
    /// # Errors
    ///
    /// As [`request`](Self::request).
    ///
    /// # Interrupts
    ///
    /// As [`request`](Self::request): the new connection is dropped.
    pub fn upgrade(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<(Response, Option<Upgraded>)> {
        let deadline = self.total_deadline(None, None);
        let url = parse_url(url)?;
        let key = PoolKey::of(&url)?;
        let request = encode_request("GET", &url, headers, b"")?;
        // A connection that will be taken over is always a new one.
        let mut wire = self.dial(&key, deadline)?;
        let head = self.exchange(&mut wire, &request, b"", deadline)?;
        let mut reader = self.reader(key, wire, "GET", head, deadline)?;
        let mut response = Response {
            status: reader.status,
            version: reader.version,
            headers: std::mem::take(&mut reader.headers),
            body: Vec::new(),
        };
        if response.status == 101 {
            let wire = reader.wire.take().expect("a fresh reader holds its wire");
            return Ok((response, Some(wire.into_parts())));
        }
        // A refusal's body is for a person to read: its first
        // `max_response_body_bytes` are kept, the rest is left unread (the
        // connection then closes; it never goes back to a pool half read).
        let limit = self.config.max_response_body_bytes;
        let mut chunk = [0u8; 4096];
        while response.body.len() < limit {
            let want = (limit - response.body.len()).min(chunk.len());
            match reader.read(&mut chunk[..want])? {
                0 => break,
                n => response.body.extend_from_slice(&chunk[..n]),
            }
        }
        Ok((response, None))
    }

    fn send_once(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: Option<Instant>,
    ) -> Result<ResponseReader<'_>> {
        let key = PoolKey::of(url)?;
        let request = encode_request(method, url, headers, body)?;
        let mut fresh = false;
        loop {
            let mut wire = match self.pool.checkout(&key) {
                Some(wire) => wire,
                None => {
                    fresh = true;
                    self.dial(&key, deadline)?
                }
            };
            match self.exchange(&mut wire, &request, body, deadline) {
                Ok(head) => return self.reader(key, wire, method, head, deadline),
                // A pooled connection the server had already closed: try a new one,
                // if repeating the request is safe.
                Err(Error::Io(err)) if !fresh && idempotent(method) && stale(&err) => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// Writes the request and reads the final (non-1xx) response head.
    fn exchange(
        &self,
        wire: &mut Wire,
        request: &[u8],
        body: &[u8],
        deadline: Option<Instant>,
    ) -> Result<head::ResponseHead> {
        let send_by = step_deadline(deadline, self.config.read_timeout, Phase::Send)?;
        wire.conn
            .write_all_vectored_until(
                &mut [std::io::IoSlice::new(request), std::io::IoSlice::new(body)],
                send_by,
            )
            .map_err(in_phase(Phase::Send))?;
        loop {
            let parsed =
                head::parse_response(wire.available(), self.config.max_response_head_bytes)
                    .map_err(Error::InvalidResponse)?;
            match parsed {
                Some(h) if (100..200).contains(&h.status) && h.status != 101 => wire.consume(h.len),
                Some(h) => {
                    wire.consume(h.len);
                    return Ok(h);
                }
                None => {
                    let read_by = step_deadline(deadline, self.config.read_timeout, Phase::Head)?;
                    if wire.fill(read_by).map_err(in_phase(Phase::Head))? == 0 {
                        return Err(if wire.available().is_empty() {
                            Error::Io(std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                "connection closed before a response",
                            ))
                        } else {
                            Error::InvalidResponse(ResponseError::Truncated)
                        });
                    }
                }
            }
        }
    }

    fn reader(
        &self,
        key: PoolKey,
        wire: Wire,
        method: &str,
        head: head::ResponseHead,
        deadline: Option<Instant>,
    ) -> Result<ResponseReader<'_>> {
        let kind = head::response_body(method, head.status, &head.headers)
            .map_err(Error::InvalidResponse)?;
        let keep_alive = kind != BodyKind::UntilClose
            && match head.version {
                Version::Http11 => !head.headers.has_token("connection", "close"),
                Version::Http10 => head.headers.has_token("connection", "keep-alive"),
            };
        Ok(ResponseReader {
            pool: &self.pool,
            read_timeout: self.config.read_timeout,
            key,
            wire: Some(wire),
            status: head.status,
            version: head.version,
            headers: head.headers,
            body: Body::new(
                kind,
                self.config.max_response_body_bytes as u64,
                self.config.max_response_head_bytes,
            ),
            keep_alive,
            failed: false,
            kept: Vec::new(),
            deadline,
        })
    }

    /// A new connection for `key`: TCP connect and, for https, the TLS
    /// handshake, together within `connect_timeout` and the total `deadline`
    /// (the handshake also within the TLS config's handshake timeout).
    fn dial(&self, key: &PoolKey, deadline: Option<Instant>) -> Result<Wire> {
        let connect_by = step_deadline(deadline, self.config.connect_timeout, Phase::Connect)?;
        let tcp = TcpStream::connect_until(key.addr().as_str(), connect_by)
            .map_err(in_phase(Phase::Connect))?;
        tcp.set_write_timeout(self.config.read_timeout);
        let conn = if key.https {
            let stream = TlsStream::client(tcp, &key.host, &self.config.tls)?;
            let handshake_by = earliest(
                connect_by,
                time::deadline(self.config.tls.handshake_timeout),
            );
            stream
                .handshake_until(handshake_by)
                .map_err(in_phase(Phase::Connect))?;
            Conn::from(stream)
        } else {
            Conn::Tcp(tcp)
        };
        Ok(Wire::new(conn))
    }
}

fn stale(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionAborted
    )
}
