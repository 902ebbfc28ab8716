//! Accepting TLS connections.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use super::{ServerConfig, TlsStream};
use crate::dns::ToAddr;
use crate::tcp::{self, Server, TcpListener};

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
    /// Those of [`TcpListener::bind`].
    pub fn bind(addr: impl ToAddr, config: ServerConfig) -> io::Result<TlsListener> {
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
/// Connections whose handshake fails are closed without calling `handler`.
///
/// # Errors
///
/// Those of [`TcpListener::bind`].
pub fn listen<F>(addr: impl ToAddr, config: ServerConfig, handler: F) -> io::Result<Server>
where
    F: Fn(TlsStream) + 'static,
{
    tcp::listen(addr, move |tcp| {
        let Ok(stream) = TlsStream::server(tcp, &config) else {
            return;
        };
        if stream.handshake().is_ok() {
            handler(stream);
        }
    })
}

impl fmt::Display for TlsListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.local_addr() {
            Ok(addr) => write!(f, "tls listener on {addr}"),
            Err(_) => f.write_str("tls listener"),
        }
    }
}
