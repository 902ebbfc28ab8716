//! The HTTP client: one request at a time per connection, connections kept
//! alive in a per-host pool.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use url::Url;

use super::body::{self, Body, Dest};
use super::error::UrlError;
use super::head::{self, BodyKind, Version};
use super::headers::check_outgoing;
use super::wire::Wire;
use super::{Error, Headers, Phase, RequestBuilder, ResponseError, Result, Upgraded};
use crate::conn::Conn;
use crate::tcp::TcpStream;
use crate::tls::{self, TlsStream};
use silly_runtime::config::ConfigError;
use silly_runtime::config_setters as setters;
use silly_runtime::time;

/// Client settings. Each default is documented on its field. Start from
/// `ClientConfig::default()` and change fields with the setters of the same
/// name:
///
/// ```
/// use silly_net::http::ClientConfig;
/// use silly_net::tls;
/// use std::time::Duration;
/// let config = ClientConfig::default()
///     .connect_timeout(Some(Duration::from_secs(2)))
///     .request_timeout(Some(Duration::from_secs(20)))
///     .max_redirects(5)
///     .tls(tls::ClientConfig::builder().alpn(["http/1.1"]).build().unwrap());
/// assert_eq!(config.max_redirects, 5);
/// assert_eq!(config.max_idle_per_host, 8, "the default");
/// ```
///
/// Time limits: each step has its own timeout (`connect_timeout` for connect
/// and handshake, `read_timeout` for sending the request and for each read of
/// the response), and `request_timeout` bounds a whole request. The first to
/// pass ends the request with [`Error::Timeout`], which names the [`Phase`].
/// Each timeout is `None` to turn it off; a huge one (`Duration::MAX`) is as
/// good as none. `Some(Duration::ZERO)` is refused by [`check`](Self::check).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Longest wait for TCP connect plus TLS handshake. Default 10 s (the
    /// handshake also within the TLS config's own handshake timeout).
    pub connect_timeout: Option<Duration>,
    /// Longest wait for the server to take the request (head and body
    /// together), and for each read of the response. Default 30 s.
    pub read_timeout: Option<Duration>,
    /// Longest time for a whole request: connect, send, response head and
    /// body (read with [`Client::request`], or from the [`ResponseReader`]),
    /// redirects included. Default `None`: only the step timeouts apply.
    /// [`RequestBuilder::timeout`] sets it per request. Name resolution cannot
    /// be cut short: the deadline is checked once it returns.
    pub request_timeout: Option<Duration>,
    /// Idle connections kept per host (scheme, host, port). Default 8.
    pub max_idle_per_host: usize,
    /// An idle connection older than this is not reused. Default 60 s; `None`:
    /// however old.
    pub idle_timeout: Option<Duration>,
    /// Redirects followed (301, 302, 303, 307, 308). Default 0: a redirect is
    /// returned as it is. A redirect to another origin (scheme, host or port)
    /// goes without the caller's `Authorization`, `Cookie`,
    /// `Proxy-Authorization` and `Host` headers, for this hop and the ones
    /// after it; a redirect that turns the request into a GET drops its body
    /// and `Content-*` and `Transfer-Encoding` headers.
    pub max_redirects: usize,
    /// Whether a redirect from `https://` to `http://` is followed. Default
    /// false: it ends the request with [`Error::InsecureRedirect`], as what
    /// was asked over TLS would then travel in clear (curl's
    /// CVE-2018-1000007; reqwest and browsers refuse it too).
    pub redirect_https_to_http: bool,
    /// Largest response head. Default 64 KiB.
    pub max_response_head_bytes: usize,
    /// Largest response body read by [`Client::request`]. Default 64 MiB.
    pub max_response_body_bytes: usize,
    /// TLS settings for `https://` (default: webpki roots, verification on).
    pub tls: tls::ClientConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(30)),
            request_timeout: None,
            max_idle_per_host: 8,
            idle_timeout: Some(Duration::from_secs(60)),
            max_redirects: 0,
            redirect_https_to_http: false,
            max_response_head_bytes: 64 * 1024,
            max_response_body_bytes: 64 * 1024 * 1024,
            tls: tls::ClientConfig::default(),
        }
    }
}

setters!(ClientConfig {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    max_idle_per_host: usize,
    idle_timeout: Option<Duration>,
    max_redirects: usize,
    redirect_https_to_http: bool,
    max_response_head_bytes: usize,
    max_response_body_bytes: usize,
    tls: tls::ClientConfig,
});

impl ClientConfig {
    /// Checks the settings: no timeout may be `Some(Duration::ZERO)` (`None`
    /// turns one off), and `max_response_head_bytes` must be at least 1.
    /// [`Client::new`] runs it.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first field out of its range.
    pub fn check(&self) -> std::result::Result<(), ConfigError> {
        let timeouts = [
            ("connect_timeout", self.connect_timeout),
            ("read_timeout", self.read_timeout),
            ("request_timeout", self.request_timeout),
            ("idle_timeout", self.idle_timeout),
        ];
        for (field, timeout) in timeouts {
            if timeout.is_some_and(|t| t.is_zero()) {
                return Err(ConfigError::new(
                    "ClientConfig",
                    field,
                    "must be more than zero (None turns it off)",
                ));
            }
        }
        if self.max_response_head_bytes == 0 {
            return Err(ConfigError::new(
                "ClientConfig",
                "max_response_head_bytes",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// HTTP version of the response.
    pub version: Version,
    /// Response headers (also [`headers`](Self::headers), and
    /// [`header`](Self::header) for one).
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of response header `name` (any case), as
    /// [`Stream::header`](super::Stream::header) gives a request's.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// All response headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PoolKey {
    https: bool,
    host: String,
    port: u16,
}

struct Idle {
    wire: Wire,
    since: Instant,
}

/// An HTTP client with its own connection pool. The free functions [`get`],
/// [`post`] and [`request`] use one per runtime with the default config.
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
    config: ClientConfig,
    pool: RefCell<HashMap<PoolKey, Vec<Idle>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let idle: usize = self.pool.borrow().values().map(Vec::len).sum();
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("idle_connections", &idle)
            .finish()
    }
}

/// A client with the default config (which is valid).
impl Default for Client {
    fn default() -> Client {
        Client {
            config: ClientConfig::default(),
            pool: RefCell::new(HashMap::new()),
        }
    }
}

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
        Ok(Client {
            config,
            pool: RefCell::new(HashMap::new()),
        })
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

    /// The total deadline of a request starting now: `timeout` from now (if
    /// not given, the config's `request_timeout`), or `deadline` if that comes
    /// first; `None` (no limit) if none is set or the instant cannot be
    /// represented.
    pub(crate) fn total_deadline(
        &self,
        timeout: Option<Option<Duration>>,
        deadline: Option<Instant>,
    ) -> Option<Instant> {
        let timeout = timeout.unwrap_or(self.config.request_timeout);
        earliest(deadline, time::deadline(timeout))
    }

    /// [`send`](Self::send) under the total deadline `deadline`.
    pub(crate) fn send_until(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        deadline: Option<Instant>,
    ) -> Result<ResponseReader<'_>> {
        let mut url = parse_url(url)?;
        let mut method = method.to_owned();
        let mut headers = std::borrow::Cow::Borrowed(headers);
        let mut body = body;
        let mut redirects = 0;
        loop {
            let mut reader = self.send_once(&method, &url, &headers, body, deadline)?;
            let location = reader.headers.get("location").map(str::to_owned);
            let status = reader.status;
            let redirect = matches!(status, 301 | 302 | 303 | 307 | 308);
            let (Some(location), true) = (location, redirect && self.config.max_redirects > 0)
            else {
                return Ok(reader);
            };
            if redirects == self.config.max_redirects {
                return Err(Error::TooManyRedirects);
            }
            redirects += 1;
            // Finish this response so its connection can be reused.
            let mut sink = [0u8; 4096];
            while reader.read(&mut sink)? > 0 {}
            drop(reader);
            let next = url.join(&location).map_err(|error| {
                Error::InvalidResponse(ResponseError::InvalidLocation { location, error })
            })?;
            if url.scheme() == "https"
                && next.scheme() == "http"
                && !self.config.redirect_https_to_http
            {
                return Err(Error::InsecureRedirect(next.into()));
            }
            if origin(&next) != origin(&url) {
                // Credentials given for one origin are not handed to another
                // (RFC 9110, section 15.4; a `Host` would misdirect it).
                headers = without(headers, |name| {
                    ["authorization", "cookie", "proxy-authorization", "host"]
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(name))
                });
            }
            url = next;
            // RFC 9110, section 15.4: after 303 the new request is a GET (HEAD stays
            // HEAD); after 301/302 user agents turn POST into GET as well. The
            // body goes, and so do the headers that described it.
            let to_get = (status == 303 && !method.eq_ignore_ascii_case("HEAD"))
                || (matches!(status, 301 | 302) && method.eq_ignore_ascii_case("POST"));
            if to_get {
                method = "GET".to_owned();
                body = b"";
                headers = without(headers, |name| {
                    name.get(..8)
                        .is_some_and(|p| p.eq_ignore_ascii_case("content-"))
                        || name.eq_ignore_ascii_case("transfer-encoding")
                });
            }
        }
    }

    /// Sends `GET url` with `headers` (which should ask for an upgrade) and
    /// returns the response. On `101 Switching Protocols`, also returns the
    /// connection and any bytes the server sent past the response head; the
    /// connection then belongs to the caller (WebSocket clients use this).
    /// Any other response is read whole (up to `max_response_body_bytes`). The
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
        let key = pool_key(&url)?;
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
        response.body = reader.read_all()?;
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
        let key = pool_key(url)?;
        let request = encode_request(method, url, headers, body)?;
        let mut fresh = false;
        loop {
            let mut wire = match self.checkout(&key) {
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
            client: self,
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

    fn checkout(&self, key: &PoolKey) -> Option<Wire> {
        let mut pool = self.pool.borrow_mut();
        let idle = pool.get_mut(key)?;
        // The server may have closed a connection while it sat here (its
        // keep-alive timeout is often shorter than ours): a request written to
        // it would be lost, and only idempotent ones could be repeated.
        while let Some(entry) = idle.pop() {
            if self.fresh(&entry) && entry.wire.is_idle_open() {
                return Some(entry.wire);
            }
        }
        None
    }

    /// Whether an idle connection is young enough to be reused.
    fn fresh(&self, idle: &Idle) -> bool {
        self.config
            .idle_timeout
            .is_none_or(|max| idle.since.elapsed() < max)
    }

    fn checkin(&self, key: PoolKey, wire: Wire) {
        let mut pool = self.pool.borrow_mut();
        let idle = pool.entry(key).or_default();
        idle.retain(|e| self.fresh(e));
        if idle.len() < self.config.max_idle_per_host {
            idle.push(Idle {
                wire,
                since: Instant::now(),
            });
        }
    }

    /// A new connection for `key`: TCP connect and, for https, the TLS
    /// handshake, together within `connect_timeout` and the total `deadline`
    /// (the handshake also within the TLS config's handshake timeout).
    fn dial(&self, key: &PoolKey, deadline: Option<Instant>) -> Result<Wire> {
        let connect_by = step_deadline(deadline, self.config.connect_timeout, Phase::Connect)?;
        let addr = if key.host.contains(':') {
            format!("[{}]:{}", key.host, key.port)
        } else {
            format!("{}:{}", key.host, key.port)
        };
        let tcp = TcpStream::connect_until(addr.as_str(), connect_by)
            .map_err(in_phase(Phase::Connect))?;
        tcp.set_write_timeout(self.config.read_timeout);
        let conn = if key.https {
            let stream = TlsStream::client(tcp, &key.host, &self.config.tls)?;
            let handshake_by = earliest(
                connect_by,
                time::deadline(Some(self.config.tls.handshake_timeout())),
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

/// The deadline of one step of `phase` that starts now: `step` from now, or the
/// request's total `deadline` if that comes first. `Error::Timeout` if the total
/// deadline has passed already: a step whose data is at hand would otherwise
/// still succeed after it.
fn step_deadline(
    deadline: Option<Instant>,
    step: Option<Duration>,
    phase: Phase,
) -> Result<Option<Instant>> {
    let step_by = time::deadline(step);
    if deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(Error::Timeout { phase });
    }
    Ok(earliest(deadline, step_by))
}

/// The earlier of two optional deadlines (`None` is no limit).
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Maps an error of a step of `phase`: a connection's timeout becomes
/// [`Error::Timeout`] naming the phase; other errors stay as they are.
fn in_phase<E: Into<Error>>(phase: Phase) -> impl Fn(E) -> Error {
    move |err| match err.into() {
        Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::Timeout { phase },
        other => other,
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

/// A URL's origin: scheme, host, port (RFC 6454).
fn origin(url: &Url) -> (&str, Option<url::Host<&str>>, Option<u16>) {
    (url.scheme(), url.host(), url.port_or_known_default())
}

/// `headers` without the fields whose names `drop` picks.
fn without<'h, 'a>(
    headers: std::borrow::Cow<'h, [(&'a str, &'a str)]>,
    drop: impl Fn(&str) -> bool,
) -> std::borrow::Cow<'h, [(&'a str, &'a str)]> {
    if !headers.iter().any(|(name, _)| drop(name)) {
        return headers;
    }
    headers
        .iter()
        .filter(|(name, _)| !drop(name))
        .copied()
        .collect()
}

/// `url` parsed, or [`Error::InvalidUrl`] with the parser's error.
fn parse_url(url: &str) -> Result<Url> {
    Url::parse(url).map_err(|error| invalid_url(url, UrlError::Parse(error)))
}

fn invalid_url(url: impl Into<String>, error: UrlError) -> Error {
    Error::InvalidUrl {
        url: url.into(),
        error,
    }
}

fn pool_key(url: &Url) -> Result<PoolKey> {
    let https = match url.scheme() {
        "http" => false,
        "https" => true,
        other => {
            let error = UrlError::UnsupportedScheme(other.to_owned());
            return Err(invalid_url(url.as_str(), error));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| invalid_url(url.as_str(), UrlError::NoHost))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    // Both schemes have a default port.
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    Ok(PoolKey { https, host, port })
}

fn encode_request(
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

/// A response whose body is read as it arrives (the streaming form). When the
/// body has been read to its end, the connection goes back to the pool.
pub struct ResponseReader<'a> {
    client: &'a Client,
    key: PoolKey,
    wire: Option<Wire>,
    status: u16,
    version: Version,
    headers: Headers,
    body: Body,
    keep_alive: bool,
    /// Set when a read failed: the connection was dropped mid-body, and later
    /// reads must not pass for the end of it.
    failed: bool,
    /// Body bytes an interrupted [`read_all`](Self::read_all) had read.
    kept: Vec<u8>,
    /// The request's total deadline, which the body's reads count against too.
    deadline: Option<Instant>,
}

impl fmt::Debug for ResponseReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseReader")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl ResponseReader<'_> {
    /// Status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// HTTP version of the response.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The first value of response header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// All response headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// Trailer fields of a chunked body, once read to its end.
    pub fn trailers(&self) -> &Headers {
        &self.body.trailers
    }

    /// Reads body bytes; `Ok(0)` at the end. Each read waits at most the
    /// client's `read_timeout`, and not past the request's total deadline.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] ([`Phase::Body`]), [`Error::Io`] (broken
    /// connection), [`Error::InvalidBody`], [`Error::BodyTooLarge`]. After an
    /// error the connection is closed, and every later read fails (an
    /// [`Error::Io`] of kind `NotConnected`) rather than pass for the end.
    ///
    /// # Interrupts
    ///
    /// Whole: the body's decoder keeps its place in the reader, so a read cut
    /// while it waits loses nothing and the next read continues the body.
    /// Dropping the reader before the end closes its connection (it never
    /// goes back to the pool half read).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if !self.kept.is_empty() {
            return Ok(body::take_kept(&mut self.kept, buf));
        }
        self.read_body(Dest::Buf(buf))
    }

    /// Reads the rest of the body (with what earlier calls left unread).
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes read so far stay in the reader, and the next
    /// `read_all` (or `read`) returns them first.
    pub fn read_all(&mut self) -> Result<Vec<u8>> {
        while self.read_body(Dest::Kept)? > 0 {}
        Ok(std::mem::take(&mut self.kept))
    }

    /// One read of the body into `dest`; gives the connection back to the
    /// pool at the end.
    fn read_body(&mut self, dest: Dest<'_>) -> Result<usize> {
        let Some(wire) = self.wire.as_mut() else {
            return if self.failed {
                Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "http: an earlier read of this response failed; its connection was closed",
                )))
            } else {
                Ok(0)
            };
        };
        let deadline = if self.body.is_done() {
            // The end is known: no wait, so no deadline to miss.
            Ok(None)
        } else {
            step_deadline(self.deadline, self.client.config.read_timeout, Phase::Body)
        };
        let read = deadline.and_then(|read_by| {
            match dest {
                Dest::Buf(buf) => self.body.read(wire, buf, read_by),
                Dest::Kept => self.body.read(wire, &mut self.kept, read_by),
            }
            .map_err(in_phase(Phase::Body))
        });
        match read {
            Ok(0) => {
                if let Some(wire) = self.wire.take() {
                    if self.keep_alive {
                        self.client.checkin(self.key.clone(), wire);
                    }
                }
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(err) => {
                self.wire = None; // a broken exchange: never reuse the connection
                self.failed = true;
                Err(err)
            }
        }
    }

    /// Reads the rest of the body into a whole [`Response`].
    pub(crate) fn into_response(mut self) -> Result<Response> {
        let body = self.read_all()?;
        Ok(Response {
            status: self.status,
            version: self.version,
            headers: std::mem::take(&mut self.headers),
            body,
        })
    }
}
