//! One request and its response, as the handler sees them.

use std::cell::OnceCell;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use silly_runtime::time;

use super::body::{self, Body, Dest};
use super::error::{Error, Result};
use super::head::{RequestHead, Version};
use super::headers::{check_outgoing, Headers};
use super::response_head::{write_head, HeadInputs, Sending};
use super::router::params::Params;
use super::upgraded::Upgraded;
use super::wire::{self, Wire};
use crate::tcp::ShutdownToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Response {
    NotStarted,
    Sending(Sending),
    Finished,
}

/// A request and the means to answer it; the handler gets `&mut Stream`.
///
/// ```no_run
/// use silly_net::http;
/// silly_runtime::run(|| {
///     http::listen(":8080", |s| {
///         let name = s.query_get("name").unwrap_or("world").to_owned();
///         let body = s.read_all().unwrap_or_default();
///         s.respond(200, &[("Content-Type", "text/plain")]).unwrap();
///         s.write(format!("hello {name}, you sent {} bytes\n", body.len()).as_bytes()).unwrap();
///         s.close(b"").unwrap();
///     }).unwrap();
///     silly_runtime::task::park();
/// });
/// ```
///
/// If the handler returns without responding, the client gets 500; if it
/// responded but did not finish, the response is finished for it.
pub struct Stream {
    pub(crate) wire: Option<Wire>,
    /// Given back to the server after the handler, for the next request.
    pub(crate) head: RequestHead,
    query: OnceCell<Vec<(String, String)>>,
    remote_addr: SocketAddr,
    pub(crate) body: Body,
    /// Body bytes an interrupted [`read_all`](Self::read_all) had read: the
    /// next read or `read_all` hands them out first.
    pub(crate) kept: Vec<u8>,
    body_timeout: Option<Duration>,
    expect_continue: bool,
    pub(crate) response: Response,
    pub(crate) keep_alive: bool,
    /// The server's shutdown, as this connection sees it.
    pub(crate) shutdown: ShutdownToken,
    /// Headers for the response about to be sent
    /// ([`add_response_header`](Self::add_response_header), `set_cookie`);
    /// `None` until one is added, so a request that adds none pays one check.
    /// Every response takes them (the server's own error responses drop
    /// them), so none is left for the next request.
    queued: Option<Box<Headers>>,
    /// Path parameters a [`Router`](super::Router) matched; empty (and never
    /// allocated) without a router, reused across the connection's requests.
    pub(crate) params: Params,
    /// The status of the response begun (meaningful once `response` is not
    /// `NotStarted`), for [`status`](Self::status).
    status: u16,
    /// Response body bytes sent so far, for [`bytes_written`](Self::bytes_written).
    body_bytes: u64,
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("method", &self.head.method())
            .field("target", &self.head.target())
            .field("version", &self.head.version)
            .field("remote_addr", &self.remote_addr)
            .field("response", &self.response)
            .finish_non_exhaustive()
    }
}

impl Stream {
    /// A connection's stream, before its first request. The server keeps one per
    /// connection and [`begin`](Self::begin)s each request on it, so the request
    /// head's buffers are reused.
    pub(crate) fn new(
        wire: Wire,
        remote_addr: SocketAddr,
        body_timeout: Option<Duration>,
        shutdown: ShutdownToken,
    ) -> Stream {
        Stream {
            wire: Some(wire),
            head: RequestHead::default(),
            query: OnceCell::new(),
            remote_addr,
            body: Body::new(super::head::BodyKind::Empty, 0, 0),
            kept: Vec::new(),
            body_timeout,
            expect_continue: false,
            response: Response::NotStarted,
            keep_alive: false,
            shutdown,
            queued: None,
            params: Params::default(),
            status: 0,
            body_bytes: 0,
        }
    }

    /// Starts the request whose head was just parsed into `self.head`.
    pub(crate) fn begin(&mut self, body: Body) {
        let head = &self.head;
        self.keep_alive = match head.version {
            Version::Http11 => {
                !(head.seen.connection && head.headers.has_token("connection", "close"))
            }
            Version::Http10 => {
                head.seen.connection && head.headers.has_token("connection", "keep-alive")
            }
        };
        self.expect_continue = head.seen.expect
            && head.version == Version::Http11
            && head
                .headers
                .get("expect")
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        self.body = body;
        if self.kept.capacity() > 0 {
            self.kept = Vec::new(); // a body the last handler left half-read
        }
        self.query.take();
        self.response = Response::NotStarted;
    }

    /// The request method (`"GET"`, `"POST"`, ...), as sent.
    pub fn method(&self) -> &str {
        self.head.method()
    }

    /// The path of the request target, without the query (`"/a/b"`).
    pub fn path(&self) -> &str {
        let target = self.head.target();
        target.split_once('?').map_or(target, |(p, _)| p)
    }

    /// The request target as sent (`"/a/b?x=1"`); an absolute-form target
    /// (`http://host/a/b?x=1`) is given in this origin form, its authority in
    /// `Host` (see [`listen`](super::listen)).
    pub fn target(&self) -> &str {
        self.head.target()
    }

    /// The value of path parameter `name` (`:name` or `*name` in the route
    /// pattern) that the [`Router`](super::Router) serving this request
    /// matched, percent-decoded (`%20` is a space, `%2F` a `/` inside the
    /// value); `None` if the route has no such parameter, or without a router.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// Every path parameter of the matched route, `(name, value)` in the
    /// pattern's order, values as [`param`](Self::param) gives them.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter()
    }

    /// The request's path and method, and the parameters to fill: what a
    /// router needs, borrowed apart. As bytes: the router compares them, and
    /// checks as UTF-8 only the parameter values it hands out.
    pub(crate) fn routing(&mut self) -> (&[u8], &[u8], &mut Params) {
        let target = self.head.target_bytes();
        // A plain loop, not a `memchr` search: its set-up costs more than it
        // saves on a path this short, on every routed request.
        let end = target.iter().position(|&b| b == b'?');
        let path = &target[..end.unwrap_or(target.len())];
        (path, self.head.method_bytes(), &mut self.params)
    }

    /// The status of the response, once [`respond`](Self::respond) (or
    /// `reply`, `close`) began it; `None` before. What a middleware reads after
    /// the handler ran (see [`Next`](super::Next)).
    pub fn status(&self) -> Option<u16> {
        match self.response {
            Response::NotStarted => None,
            _ => Some(self.status),
        }
    }

    /// Response body bytes sent so far: what [`write`](Self::write),
    /// [`close`](Self::close) and [`reply`](Self::reply) passed on, without
    /// the head or chunk framing; bytes dropped because the response has no
    /// body (HEAD, 204, 304) are not counted. 0 before a response begins.
    pub fn bytes_written(&self) -> u64 {
        match self.response {
            Response::NotStarted => 0,
            _ => self.body_bytes,
        }
    }

    /// The query string's pairs, URL-decoded, in order (`?a=1&b=x%20y` gives
    /// `[("a", "1"), ("b", "x y")]`).
    pub fn query(&self) -> &[(String, String)] {
        self.query
            .get_or_init(|| match self.head.target().split_once('?') {
                Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect(),
                None => Vec::new(),
            })
    }

    /// The first value of query parameter `name`.
    pub fn query_get(&self, name: &str) -> Option<&str> {
        self.query()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of request header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get(name)
    }

    /// All request headers.
    pub fn headers(&self) -> &Headers {
        &self.head.headers
    }

    /// The request's HTTP version.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// The client's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// Whether the server's shutdown has begun. Responses sent from then on
    /// carry `Connection: close`; a handler doing long work can end it early.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.is_shutting_down()
    }

    /// The connection's view of the server's shutdown: wait for it, or
    /// register an upgraded connection to be closed by it
    /// ([`ShutdownToken::on_shutdown`], which `silly_websocket::upgrade` does).
    pub fn shutdown_token(&self) -> &ShutdownToken {
        &self.shutdown
    }

    /// Over HTTPS, the certificate chain the client showed (mutual TLS: a
    /// [`tls::ServerConfig::from_rustls`](crate::tls::ServerConfig::from_rustls)
    /// config with a client certificate verifier asks for one, and the
    /// handshake fails before any request if it refuses the chain), the
    /// client's own certificate first; `None` over plain HTTP, when the
    /// client showed none, or once the connection was upgraded. See
    /// [`TlsStream::peer_certificates`](crate::tls::TlsStream::peer_certificates).
    pub fn peer_certificates(&self) -> Option<Vec<rustls_pki_types::CertificateDer<'static>>> {
        self.wire.as_ref()?.conn.peer_certificates()
    }

    /// `"https"` over TLS, else `"http"`.
    pub fn scheme(&self) -> &'static str {
        match &self.wire {
            Some(w) if w.conn.is_tls() => "https",
            _ => "http",
        }
    }

    /// Whether the connection was shut because an interrupted write left a
    /// partial response (see `# Interrupts` on [`write`](Self::write)): every
    /// later read and write fails, and the server closes the connection after
    /// the handler.
    pub fn is_closed(&self) -> bool {
        self.wire.as_ref().is_some_and(Wire::is_torn)
    }

    /// `err`, unless an interrupted write closed the stream: that is then the
    /// error, as it is why nothing more can be done.
    fn closed_or(&self, err: Error) -> Error {
        if self.is_closed() {
            Error::Io(wire::torn())
        } else {
            err
        }
    }

    fn wire(&mut self) -> Result<&mut Wire> {
        // Not `ok_or(Error::Upgraded)`: that builds and drops an `Error` on every
        // call, and its drop glue is not free.
        match self.wire.as_mut() {
            Some(wire) => Ok(wire),
            None => Err(Error::Upgraded),
        }
    }

    /// Reads request body bytes into `buf`; `Ok(0)` at its end. Answers
    /// `Expect: 100-continue` first if the client asked.
    ///
    /// # Errors
    ///
    /// [`Error::BodyTooLarge`] past the server's body limit (the client gets 413),
    /// [`Error::InvalidBody`] for broken framing, [`Error::Io`] on timeout or a
    /// broken connection.
    ///
    /// # Interrupts
    ///
    /// Whole: the body's decoder (chunk framing included) keeps its place in
    /// the stream, so a read cut while it waits loses nothing and the next
    /// read continues the body. (Cut while it sends `100 Continue` or
    /// response bytes queued before it, it is closed, as
    /// [`write`](Self::write).)
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if !self.kept.is_empty() {
            return Ok(body::take_kept(&mut self.kept, buf));
        }
        self.read_body(Dest::Buf(buf))
    }

    /// Reads the whole request body (with what earlier calls left unread).
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    ///
    /// # Interrupts
    ///
    /// Whole: the bytes read so far stay in the stream, and the next `read_all`
    /// (or `read`) returns them first.
    pub fn read_all(&mut self) -> Result<Vec<u8>> {
        while self.read_body(Dest::Kept)? > 0 {}
        Ok(std::mem::take(&mut self.kept))
    }

    /// One read of the body into `dest`.
    pub(crate) fn read_body(&mut self, dest: Dest<'_>) -> Result<usize> {
        if self.body.is_done() {
            return Ok(0);
        }
        if std::mem::take(&mut self.expect_continue) && self.response == Response::NotStarted {
            let wire = self.wire()?;
            wire.write(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            wire.flush()?;
        }
        let deadline = time::deadline(self.body_timeout);
        let wire = self.wire.as_mut().ok_or(Error::Upgraded)?;
        let read = match dest {
            Dest::Buf(buf) => self.body.read(wire, buf, deadline),
            Dest::Kept => self.body.read(wire, &mut self.kept, deadline),
        };
        match read {
            Err(Error::BodyTooLarge) => {
                self.keep_alive = false;
                if self.response == Response::NotStarted {
                    let _ = self.error_response(413, "request body too large");
                }
                Err(Error::BodyTooLarge)
            }
            Err(e) => {
                self.keep_alive = false;
                Err(e)
            }
            ok => ok,
        }
    }

    /// Trailer fields of a chunked request body, once it has been read to the end.
    pub fn trailers(&self) -> &Headers {
        &self.body.trailers
    }

    /// Sends the status line and `headers`, exactly as given (names and values
    /// are checked, not changed). The server adds `Date`, and `Transfer-Encoding:
    /// chunked` when no `Content-Length` is given (HTTP/1.1), and `Connection`
    /// when the connection will close. HEAD requests and 1xx/204/304 responses
    /// carry no body: bytes written for them are dropped. Headers queued with
    /// [`add_response_header`](Self::add_response_header) follow `headers`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeader`] for a name that is not a token or a value with CR,
    /// LF or NUL (nothing is sent); [`Error::InvalidStatus`] for a status outside
    /// 100..=999; [`Error::AlreadyResponded`]; [`Error::Io`].
    ///
    /// # Interrupts
    ///
    /// Closed: a response head cut midway cannot be finished by anyone, so an
    /// interrupt that lands while bytes are being sent shuts the connection at
    /// once (the client sees the response end early, never another response's
    /// bytes in it); every later call fails with an [`Error::Io`] that says
    /// so, and [`is_closed`](Self::is_closed) is true.
    pub fn respond(&mut self, status: u16, headers: &[(&str, &str)]) -> Result<()> {
        self.send_head(status, headers, None)
    }

    /// [`respond`](Self::respond); with `whole_body`, that body follows with a
    /// `Content-Length` and the response is finished. The head (and a small
    /// whole body) is written straight into the connection's output buffer in
    /// one go: no intermediate string, no formatting machinery on the
    /// per-request path.
    fn send_head(
        &mut self,
        status: u16,
        headers: &[(&str, &str)],
        whole_body: Option<&[u8]>,
    ) -> Result<()> {
        if self.response != Response::NotStarted {
            return Err(self.closed_or(Error::AlreadyResponded));
        }
        if !(100..=999).contains(&status) {
            return Err(Error::InvalidStatus(status));
        }
        let inputs = HeadInputs {
            status,
            headers,
            length: whole_body.map(|body| body.len() as u64),
            keep_alive: self.keep_alive && !self.shutdown.is_shutting_down(),
            head_only: self.head.is_head(),
            version: self.head.version,
        };
        let queued = self.queued.take();
        let wire = self.wire()?;
        let head = wire.append(|out| {
            let head = write_head(&inputs, out)?;
            if let Some(queued) = &queued {
                push_queued(out, queued);
            }
            // The whole body goes out with the head when nothing else is to
            // be checked of it: its length is the one announced, or it is
            // dropped. A large one is sent from where it is, below.
            let inline = match (whole_body, head.sending) {
                (Some(body), Sending::Length(n)) if n == body.len() as u64 => Some(body),
                (Some(_), Sending::NoBody) => Some(&b""[..]),
                _ => None,
            };
            if let Some(body) = inline.filter(|b| b.len() < wire::OUTPUT_FLUSH_AT) {
                out.extend_from_slice(body);
            }
            Ok::<_, Error>((head, inline))
        })??;
        let (head, inline) = head;
        crate::metrics::response(status);
        if let Some(body) = inline.filter(|b| b.len() >= wire::OUTPUT_FLUSH_AT) {
            wire.write(body)?;
        }
        if head.sending == Sending::Upgrade {
            wire.flush()?;
        }
        self.keep_alive = head.keep_alive;
        self.response = Response::Sending(head.sending);
        self.status = status;
        self.body_bytes = 0;
        match (whole_body, inline) {
            (_, Some(body)) => {
                // Sent with the head (or dropped, `b""`, for a response
                // without a body): what `bytes_written` counts.
                self.body_bytes = body.len() as u64;
                self.response = Response::Finished;
            }
            (Some(body), None) => {
                self.write(body)?;
                self.finish()?;
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// Sends a piece of the response body (as a chunk when the body is chunked).
    ///
    /// # Errors
    ///
    /// [`Error::NotResponded`] before [`respond`](Self::respond);
    /// [`Error::BodyOverrun`] past the announced Content-Length;
    /// [`Error::AlreadyResponded`] after [`close`](Self::close); [`Error::Io`].
    ///
    /// # Interrupts
    ///
    /// Closed: a response cut midway cannot be finished by anyone, so an
    /// interrupt that lands while bytes are being sent shuts the connection at
    /// once (the client sees the response end early, never another response's
    /// bytes in it); every later call fails with an [`Error::Io`] that says
    /// so, and [`is_closed`](Self::is_closed) is true.
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        self.write_body(data).map_err(|e| self.closed_or(e))
    }

    /// [`write`](Self::write), whose errors a closed stream replaces.
    fn write_body(&mut self, data: &[u8]) -> Result<()> {
        let sending = match self.response {
            Response::NotStarted => return Err(Error::NotResponded),
            Response::Finished => return Err(Error::AlreadyResponded),
            Response::Sending(s) => s,
        };
        match sending {
            Sending::NoBody if self.is_closed() => Err(Error::Io(wire::torn())),
            Sending::NoBody => Ok(()),
            Sending::Upgrade => Err(Error::Upgraded),
            Sending::Length(remaining) => {
                if data.len() as u64 > remaining {
                    return Err(Error::BodyOverrun);
                }
                self.response = Response::Sending(Sending::Length(remaining - data.len() as u64));
                self.wire()?.write(data)?;
                self.body_bytes += data.len() as u64;
                Ok(())
            }
            Sending::UntilClose => {
                self.wire()?.write(data)?;
                self.body_bytes += data.len() as u64;
                Ok(())
            }
            Sending::Chunked => {
                if data.is_empty() {
                    // An empty chunk would end the body: nothing is sent
                    // (this fails only on a closed stream).
                    return Ok(self.wire()?.write(b"")?);
                }
                let wire = self.wire()?;
                wire.write(format!("{:x}\r\n", data.len()).as_bytes())?;
                wire.write(data)?;
                wire.write(b"\r\n")?;
                self.body_bytes += data.len() as u64;
                Ok(())
            }
        }
    }

    /// Finishes the response with `body` as its last bytes. Without a prior
    /// [`respond`](Self::respond), answers 200 with a Content-Length (silly's
    /// `stream:close(body)`).
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    ///
    /// # Interrupts
    ///
    /// Closed: a response cut midway cannot be finished by anyone, so an
    /// interrupt that lands while bytes are being sent shuts the connection at
    /// once (the client sees the response end early, never another response's
    /// bytes in it); every later call fails with an [`Error::Io`] that says
    /// so, and [`is_closed`](Self::is_closed) is true.
    pub fn close(&mut self, body: &[u8]) -> Result<()> {
        if self.response == Response::NotStarted {
            return self.send_head(200, &[], Some(body));
        }
        self.write(body)?;
        self.finish()
    }

    /// Sends a whole response: status, `headers` plus a Content-Length, `body`.
    ///
    /// # Errors
    ///
    /// As [`respond`](Self::respond).
    ///
    /// # Interrupts
    ///
    /// Closed: a response cut midway cannot be finished by anyone, so an
    /// interrupt that lands while bytes are being sent shuts the connection at
    /// once (the client sees the response end early, never another response's
    /// bytes in it); every later call fails with an [`Error::Io`] that says
    /// so, and [`is_closed`](Self::is_closed) is true.
    pub fn reply(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) -> Result<()> {
        self.send_head(status, headers, Some(body))
    }

    /// Adds a header to the response about to be sent: the next
    /// [`respond`](Self::respond), [`reply`](Self::reply) or
    /// [`close`](Self::close) writes it after its own headers. For code that
    /// runs before the response is made and does not make it (middleware,
    /// a session layer, `set_cookie`). Headers added for a request that ends
    /// without a response of the handler's are dropped, never sent with the
    /// next request's response.
    ///
    /// ```
    /// use silly_net::http;
    /// fn handler(s: &mut http::Stream) {
    ///     s.add_response_header("Cache-Control", "no-store").unwrap();
    ///     s.reply(200, &[("Content-Type", "text/plain")], b"fresh").unwrap();
    ///     // The client gets Content-Type, then Cache-Control.
    /// }
    /// # let _ = handler;
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyResponded`] once the response head is sent;
    /// [`Error::InvalidHeader`] for a name that is not a token, a value with
    /// CR, LF or NUL, or a header that decides the framing or the connection
    /// (`Content-Length`, `Transfer-Encoding`, `Connection`, `Date`: give those
    /// to `respond`, which acts on them).
    pub fn add_response_header(&mut self, name: &str, value: &str) -> Result<()> {
        if self.response != Response::NotStarted {
            return Err(self.closed_or(Error::AlreadyResponded));
        }
        check_outgoing(name, value)?;
        if ["content-length", "transfer-encoding", "connection", "date"]
            .iter()
            .any(|framing| name.eq_ignore_ascii_case(framing))
        {
            return Err(Error::InvalidHeader(name.to_owned()));
        }
        self.queued
            .get_or_insert_with(Box::default)
            .append(name, value);
        Ok(())
    }

    /// Ends the response body (the last chunk, for chunked bodies).
    pub(crate) fn finish(&mut self) -> Result<()> {
        match self.response {
            Response::NotStarted => return Err(Error::NotResponded),
            Response::Finished => return Ok(()),
            Response::Sending(Sending::Chunked) => self.wire()?.write(b"0\r\n\r\n")?,
            // A body shorter than its Content-Length: only closing tells the client.
            Response::Sending(Sending::Length(remaining)) if remaining > 0 => {
                self.keep_alive = false
            }
            Response::Sending(_) => {}
        }
        self.response = Response::Finished;
        Ok(())
    }

    /// Sends a short plain-text error response that closes the connection.
    /// It carries none of the headers the handler queued: the server answers
    /// on its own (500 for a handler that did not respond, 413).
    pub(crate) fn error_response(&mut self, status: u16, text: &str) -> Result<()> {
        self.keep_alive = false;
        self.queued = None;
        self.reply(status, &[("Content-Type", "text/plain")], text.as_bytes())
    }

    /// After [`respond`](Self::respond)`(101, ...)`, takes the connection (plain or
    /// TLS) and the bytes the client already sent past the request head, for the
    /// protocol that follows (WebSocket). The server forgets the connection.
    ///
    /// # Errors
    ///
    /// [`Error::NotResponded`] unless a 101 response was sent; [`Error::Upgraded`]
    /// if the connection was already taken.
    ///
    /// # Interrupts
    ///
    /// Closed: cut while the 101 response is sent, the connection is dropped
    /// (closed) rather than handed over with a partial head.
    pub fn upgrade(&mut self) -> Result<Upgraded> {
        if self.response != Response::Sending(Sending::Upgrade) {
            return Err(Error::NotResponded);
        }
        let mut wire = self.wire.take().ok_or(Error::Upgraded)?;
        wire.flush()?;
        self.response = Response::Finished;
        Ok(wire.into_parts())
    }
}

/// Adds `queued` to the head just written at the end of `out`, before its
/// blank line. After the head rather than in it: the head (and the thread's
/// copy of the last one, `response_head`) stays what the handler's own
/// headers make.
fn push_queued(out: &mut Vec<u8>, queued: &Headers) {
    debug_assert!(out.ends_with(b"\r\n\r\n"));
    out.truncate(out.len() - 2);
    for (name, value) in queued.iter() {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}
