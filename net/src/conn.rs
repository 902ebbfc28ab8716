//! A connection that is either plain TCP or TLS: what an HTTP server reads
//! requests from, and what a WebSocket takes over after the upgrade.

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use crate::tcp::TcpStream;
use crate::tls::TlsStream;

/// A plain or TLS connection, with the stream API both share.
#[derive(Debug)]
pub enum Conn {
    /// Plain TCP.
    Tcp(TcpStream),
    /// TLS over TCP (boxed: the TLS state is large, a plain connection small).
    Tls(Box<TlsStream>),
}

macro_rules! either {
    ($conn:expr, $s:ident => $e:expr) => {
        match $conn {
            Conn::Tcp($s) => $e,
            Conn::Tls($s) => $e,
        }
    };
}

impl Conn {
    /// Reads what is available (at least one byte); `Ok(0)` at EOF.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        either!(self, s => s.read(buf))
    }

    /// Writes all of `buf`.
    pub fn write_all(&self, buf: &[u8]) -> io::Result<()> {
        either!(self, s => s.write_all(buf))
    }

    /// Shuts down one or both halves (TLS sends close_notify first).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        either!(self, s => s.shutdown(how))
    }

    /// Sets the read timeout of each read call.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_read_timeout(timeout))
    }

    /// Sets the write timeout of each write call.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) {
        either!(self, s => s.set_write_timeout(timeout))
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.peer_addr())
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        either!(self, s => s.local_addr())
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }
}

impl From<TcpStream> for Conn {
    fn from(s: TcpStream) -> Self {
        Conn::Tcp(s)
    }
}

impl From<TlsStream> for Conn {
    fn from(s: TlsStream) -> Self {
        Conn::Tls(Box::new(s))
    }
}
