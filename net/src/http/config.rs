//! Server settings: address, handler, TLS, limits and timeouts.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use super::Stream;
use crate::tls;
use silly_runtime::config_setters as setters;

/// Size limits of the server. Each default is chosen for a public-facing server.
/// Start from `Limits::default()` and change fields with the setters of the
/// same name:
///
/// ```
/// use silly_net::http::Limits;
/// let limits = Limits::default().max_body(1024 * 1024).max_headers(50);
/// assert_eq!((limits.max_body, limits.max_headers), (1024 * 1024, 50));
/// assert_eq!(limits.max_header_bytes, 64 * 1024, "the default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request head (request line + headers), in bytes. Default 64 KiB;
    /// beyond it the answer is 431.
    pub max_header_bytes: usize,
    /// Most header lines in a request head. Default 100; beyond it, 431.
    pub max_headers: usize,
    /// Largest request body, in bytes, as announced by Content-Length or as
    /// decoded from chunks. Default 8 MiB; beyond it, 413.
    pub max_body: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            max_body: 8 * 1024 * 1024,
        }
    }
}

setters!(Limits {
    max_header_bytes: usize,
    max_headers: usize,
    max_body: u64,
});

/// Timeouts of the server, against slow or idle clients. Start from
/// `Timeouts::default()` and change fields with the setters of the same name:
///
/// ```
/// use silly_net::http::Timeouts;
/// use std::time::Duration;
/// let timeouts = Timeouts::default()
///     .keep_alive(Duration::from_secs(5))
///     .request_head(Duration::from_secs(2));
/// assert_eq!(timeouts.keep_alive, Duration::from_secs(5));
/// assert_eq!(timeouts.write, Duration::from_secs(30), "the default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Longest time from a connection's start (or a request's first byte) to the
    /// end of the request head. Default 10 s; a client that trickles its head
    /// (slowloris) gets 408 and is closed.
    pub request_head: Duration,
    /// Longest idle time between requests on a keep-alive connection. Default
    /// 60 s; then the connection is closed.
    pub keep_alive: Duration,
    /// Longest wait for each read of a request body. Default 30 s.
    pub body_read: Duration,
    /// Longest wait for the client to take each write of a response. Default 30 s.
    pub write: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request_head: Duration::from_secs(10),
            keep_alive: Duration::from_secs(60),
            body_read: Duration::from_secs(30),
            write: Duration::from_secs(30),
        }
    }
}

setters!(Timeouts {
    request_head: Duration,
    keep_alive: Duration,
    body_read: Duration,
    write: Duration,
});

/// The handler type: called once per request, in the connection's coroutine.
pub type Handler = Rc<dyn Fn(&mut Stream)>;

/// Everything [`listen`](super::listen) needs: [`Config::new`] with the
/// address and handler, then a setter for each part to change.
///
/// ```no_run
/// use silly_net::http::{self, Config, Limits, Timeouts};
/// use std::time::Duration;
/// silly_runtime::run(|| {
///     let config = Config::new("127.0.0.1:8080", |s| { let _ = s.close(b"hi"); })
///         .limits(Limits::default().max_body(1024 * 1024))
///         .timeouts(Timeouts::default().keep_alive(Duration::from_secs(5)));
///     let server = http::listen(config).unwrap();
///     silly_runtime::task::park();
/// });
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Address to listen on, silly style (`":8080"`, `"127.0.0.1:0"`, ...).
    pub addr: String,
    /// Called for each request.
    pub handler: Handler,
    /// Serve HTTPS with this TLS config (default: plain HTTP).
    pub tls: Option<tls::ServerConfig>,
    /// Size limits (see [`Limits`] for the defaults).
    pub limits: Limits,
    /// Timeouts (see [`Timeouts`] for the defaults).
    pub timeouts: Timeouts,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("limits", &self.limits)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Plain HTTP on `addr`, default limits and timeouts.
    pub fn new(addr: impl Into<String>, handler: impl Fn(&mut Stream) + 'static) -> Config {
        Config {
            addr: addr.into(),
            handler: Rc::new(handler),
            tls: None,
            limits: Limits::default(),
            timeouts: Timeouts::default(),
        }
    }

    /// Serves HTTPS with `config`.
    #[must_use]
    pub fn tls(mut self, config: tls::ServerConfig) -> Config {
        self.tls = Some(config);
        self
    }

    /// Replaces the limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Config {
        self.limits = limits;
        self
    }

    /// Replaces the timeouts.
    #[must_use]
    pub fn timeouts(mut self, timeouts: Timeouts) -> Config {
        self.timeouts = timeouts;
        self
    }
}
