//! Accepting TLS connections.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use super::error::TlsError;
use super::server_config::ServerConfig;
use super::stream::TlsStream;
use crate::dns::ToAddr;
use crate::tcp::{self, ShutdownToken, TcpListener};

/// A TCP listener whose connections speak TLS.
#[derive(Debug)]
pub struct TlsListener {
    tcp: TcpListener,
    config: ServerConfig,
}

impl TlsListener {
    /// Binds to `addr`; see [`TcpListener::bind`].
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a config [`ServerConfig::check`] refuses (the
    /// `ConfigError` is the source), then those of [`TcpListener::bind`].
    ///
    /// # Interrupts
    ///
    /// As [`TcpListener::bind`].
    pub fn bind(addr: impl ToAddr, config: ServerConfig) -> io::Result<TlsListener> {
        config.rustls()?;
        Ok(TlsListener {
            tcp: TcpListener::bind(addr)?,
            config,
        })
    }

    /// Waits for the next connection. The handshake is not run here (a slow
    /// client would hold up the accept loop): it runs on the stream's first use,
    /// or call [`TlsStream::handshake`].
    ///
    /// # Errors
    ///
    /// Those of [`TcpListener::accept`].
    ///
    /// # Interrupts
    ///
    /// Whole, as [`TcpListener::accept`].
    pub fn accept(&self) -> io::Result<(TlsStream, SocketAddr)> {
        let (tcp, peer) = self.tcp.accept()?;
        Ok((TlsStream::server(tcp, &self.config)?, peer))
    }

    /// Stops accepting; see [`TcpListener::close`].
    pub fn close(&self) {
        self.tcp.close();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.tcp.is_closed()
    }

    /// The TCP listener underneath, for what is not about TLS
    /// ([`steer_by_cpu`](TcpListener::steer_by_cpu), socket options).
    /// Accepting on it directly would skip TLS.
    pub fn tcp(&self) -> &TcpListener {
        &self.tcp
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// Listens on `addr` and, for each connection, runs the TLS handshake (bounded by
/// the config's handshake timeout) and then `handler`, in a new coroutine.
/// Connections whose handshake fails are closed without calling `handler`
/// (logged at debug level). [`Server::reload_tls`] replaces the config for
/// later handshakes; [`Server::shutdown`](tcp::Server::shutdown) stops it
/// gracefully (a handler that wants to see that uses [`listen_graceful`]).
///
/// # Errors
///
/// `InvalidInput` for a config [`ServerConfig::check`] refuses (the
/// `ConfigError` is the source), then those of [`TcpListener::bind`].
///
/// # Interrupts
///
/// As [`TcpListener::bind`]: nothing is left.
pub fn listen<F>(addr: impl ToAddr, config: ServerConfig, handler: F) -> io::Result<Server>
where
    F: Fn(TlsStream) + 'static,
{
    listen_graceful(addr, config, move |stream, _| handler(stream))
}

/// [`listen`], the handler also getting the connection's
/// [`ShutdownToken`]: the TLS twin of [`tcp::listen_graceful`], with the
/// same shutdown rules. A connection still in its handshake when shutdown
/// begins is one of the server's open connections: it finishes (or times
/// out) within the grace period, or is cancelled with the rest.
///
/// ```no_run
/// use silly_net::tls::{self, ServerConfig};
/// use std::time::Duration;
///
/// silly_runtime::run(|| {
///     let (cert, key) = (std::fs::read("cert.pem").unwrap(), std::fs::read("key.pem").unwrap());
///     let config = ServerConfig::from_pem(&cert, &key).unwrap();
///     let server = tls::listen_graceful(":8443", config, |conn, shutdown| {
///         shutdown.wait(); // long work, until the server stops
///         let _ = conn.write_all(b"bye");
///     })
///     .unwrap();
///     silly_runtime::time::sleep(Duration::from_secs(60));
///     server.shutdown(Duration::from_secs(5));
/// });
/// ```
///
/// # Errors
///
/// As [`listen`].
///
/// # Interrupts
///
/// As [`TcpListener::bind`]: nothing is left.
pub fn listen_graceful<F>(addr: impl ToAddr, config: ServerConfig, handler: F) -> io::Result<Server>
where
    F: Fn(TlsStream, ShutdownToken) + 'static,
{
    config.rustls()?;
    let current = CurrentConfig::new(config);
    let config = current.clone();
    let tcp = tcp::listen_graceful(addr, move |tcp, shutdown| {
        if let Some(stream) = accept(tcp, &config.get()) {
            handler(stream, shutdown);
        }
    })?;
    Ok(Server {
        tcp,
        config: current,
    })
}

/// The server side of a new connection's handshake: `None` (logged at debug
/// level, with the peer) if it failed or timed out.
pub(crate) fn accept(tcp: tcp::TcpStream, config: &ServerConfig) -> Option<TlsStream> {
    let peer = tcp.peer_addr().ok();
    let result = TlsStream::server(tcp, config).and_then(|stream| {
        stream.handshake()?;
        Ok(stream)
    });
    match result {
        Ok(stream) => Some(stream),
        Err(err) => {
            log::debug!("tls handshake with {peer:?} failed: {err}");
            None
        }
    }
}

/// The config new TLS handshakes use, replaceable while the server runs.
/// Each handshake takes the config current when it starts.
#[derive(Debug, Clone)]
pub(crate) struct CurrentConfig(Rc<RefCell<Rc<ServerConfig>>>);

impl CurrentConfig {
    pub(crate) fn new(config: ServerConfig) -> Self {
        CurrentConfig(Rc::new(RefCell::new(Rc::new(config))))
    }

    /// The config now, shared: a handshake holds it while it suspends, so
    /// the cell cannot stay borrowed, and a clone of the config itself
    /// would copy its ALPN list for every connection.
    pub(crate) fn get(&self) -> Rc<ServerConfig> {
        self.0.borrow().clone()
    }

    pub(crate) fn set(&self, config: ServerConfig) {
        *self.0.borrow_mut() = Rc::new(config);
    }
}

/// A running [`listen`] server: the [`tcp::Server`] it runs on (reached
/// through `Deref`: `local_addr`, `shutdown`, ...) and its TLS config.
#[derive(Debug)]
pub struct Server {
    tcp: tcp::Server,
    config: CurrentConfig,
}

impl Server {
    /// Replaces the TLS config (certificates, ALPN, handshake timeout):
    /// handshakes that start from now on use `config`; connections already
    /// open, or already in their handshake, keep the one they started with.
    ///
    /// Typically called on SIGHUP after reading the renewed certificate files
    /// (see `examples/https.rs`).
    ///
    /// # Errors
    ///
    /// [`TlsError::Config`] for a config [`ServerConfig::check`] refuses,
    /// [`TlsError::Rustls`] if rustls refuses its settings; the server then
    /// keeps the config it had.
    pub fn reload_tls(&self, config: ServerConfig) -> Result<(), TlsError> {
        config.rustls()?;
        self.config.set(config);
        Ok(())
    }
}

impl std::ops::Deref for Server {
    type Target = tcp::Server;

    fn deref(&self) -> &tcp::Server {
        &self.tcp
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TlsListener {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(&self.tcp)
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TlsListener {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.tcp)
    }
}

impl fmt::Display for TlsListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.local_addr() {
            Ok(addr) => write!(f, "tls listener on {addr}"),
            Err(_) => f.write_str("tls listener"),
        }
    }
}
