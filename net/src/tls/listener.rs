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
use crate::tcp::{self, TcpListener};

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
    pub fn accept(&self) -> io::Result<(TlsStream, SocketAddr)> {
        let (tcp, peer) = self.tcp.accept()?;
        Ok((TlsStream::server(tcp, &self.config)?, peer))
    }

    /// Stops accepting; see [`TcpListener::close`].
    pub fn close(&self) {
        self.tcp.close();
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
/// later handshakes.
///
/// # Errors
///
/// `InvalidInput` for a config [`ServerConfig::check`] refuses (the
/// `ConfigError` is the source), then those of [`TcpListener::bind`].
pub fn listen<F>(addr: impl ToAddr, config: ServerConfig, handler: F) -> io::Result<Server>
where
    F: Fn(TlsStream) + 'static,
{
    config.rustls()?;
    let current = CurrentConfig::new(config);
    let config = current.clone();
    let tcp = tcp::listen(addr, move |tcp| {
        if let Some(stream) = accept(tcp, &config.get()) {
            handler(stream);
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
pub(crate) struct CurrentConfig(Rc<RefCell<ServerConfig>>);

impl CurrentConfig {
    pub(crate) fn new(config: ServerConfig) -> Self {
        CurrentConfig(Rc::new(RefCell::new(config)))
    }

    /// The config now (a cheap clone: it shares rustls's).
    pub(crate) fn get(&self) -> ServerConfig {
        self.0.borrow().clone()
    }

    pub(crate) fn set(&self, config: ServerConfig) {
        *self.0.borrow_mut() = config;
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

impl fmt::Display for TlsListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.local_addr() {
            Ok(addr) => write!(f, "tls listener on {addr}"),
            Err(_) => f.write_str("tls listener"),
        }
    }
}
