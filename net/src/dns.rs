//! Addresses written the silly way, and host-name resolution that does not block
//! the event loop: `getaddrinfo` runs on [`RESOLVER`], a small thread pool of
//! its own, so a `connect` never waits behind the user's `spawn_blocking` jobs.
//!
//! | written           | means                                   |
//! |-------------------|-----------------------------------------|
//! | `":8080"`         | every IPv4 interface, port 8080         |
//! | `"127.0.0.1:8080"`| that IPv4 address                       |
//! | `"[::1]:8080"`    | that IPv6 address (brackets required)   |
//! | `"localhost:8080"`| every address the name resolves to      |
//!
//! ```
//! use silly_net::dns::{Addr, Host};
//! let a = Addr::parse(":8080").unwrap();
//! assert_eq!(a.port(), 8080);
//! assert!(matches!(a.host(), Host::Ip(ip) if ip.is_unspecified()));
//! assert!(Addr::parse("localhost").is_err()); // no port
//! ```

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::Instant;

use silly_runtime::task::BlockingPool;
use silly_runtime::time;

/// The threads that resolve host names (4 at once; further lookups queue).
/// Separate from the default blocking pool, which user jobs may fill.
pub static RESOLVER: BlockingPool = BlockingPool::new("silly-resolver", 4);

/// Longest host name accepted (RFC 1035: 253 characters in text form).
pub const MAX_HOST_LEN: usize = 253;

/// A parsed address: a host (IP or name) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    host: Host,
    port: u16,
}

/// The host part of an [`Addr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A literal IP address (`":port"` is the IPv4 unspecified address).
    Ip(IpAddr),
    /// A name to resolve.
    Name(String),
}

/// Why an address string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddrError {
    /// The string is empty.
    Empty,
    /// No `:port` at the end.
    MissingPort,
    /// The port is not a number from 0 to 65535.
    InvalidPort(String),
    /// An IPv6 address without brackets, an unclosed bracket, or a bad literal.
    InvalidIp(String),
    /// The host name has characters or a length no DNS name has.
    InvalidHost(String),
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::Empty => f.write_str("empty address"),
            AddrError::MissingPort => f.write_str("address has no port (write host:port)"),
            AddrError::InvalidPort(p) => write!(f, "invalid port {p:?}"),
            AddrError::InvalidIp(h) => {
                write!(
                    f,
                    "invalid IP address {h:?} (IPv6 needs brackets: [::1]:80)"
                )
            }
            AddrError::InvalidHost(h) => write!(f, "invalid host name {h:?}"),
        }
    }
}

impl AddrError {
    /// Always false: a malformed address is never a timeout. Every error
    /// type of silly-rs answers `is_timeout`.
    pub fn is_timeout(&self) -> bool {
        false
    }
}

/// No source: each variant holds the text it refused, which says more than
/// the standard parsers' errors (`invalid IP address syntax`) it replaces;
/// no error is turned into a string.
impl std::error::Error for AddrError {}

impl From<AddrError> for io::Error {
    fn from(err: AddrError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, err)
    }
}

impl Addr {
    /// Parses a silly-style address; see the [module docs](self).
    ///
    /// # Errors
    ///
    /// An [`AddrError`] saying what is wrong; never panics.
    pub fn parse(text: &str) -> Result<Addr, AddrError> {
        if text.is_empty() {
            return Err(AddrError::Empty);
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (ip, after) = rest
                .split_once(']')
                .ok_or_else(|| AddrError::InvalidIp(text.to_owned()))?;
            let port = after.strip_prefix(':').ok_or(AddrError::MissingPort)?;
            let ip: std::net::Ipv6Addr = ip
                .parse()
                .map_err(|_| AddrError::InvalidIp(ip.to_owned()))?;
            (Host::Ip(IpAddr::V6(ip)), port)
        } else {
            let (host, port) = text.rsplit_once(':').ok_or(AddrError::MissingPort)?;
            (parse_host(host)?, port)
        };
        let port = parse_port(port)?;
        Ok(Addr { host, port })
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The socket addresses this address stands for. A name is resolved with the
    /// system resolver on the blocking pool, so the loop keeps running meanwhile.
    ///
    /// # Errors
    ///
    /// The resolver's error, or `NotFound` if a name has no address.
    ///
    /// # Interrupts
    ///
    /// Nothing is lost: the lookup finishes in its thread and its answer is
    /// dropped.
    pub fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        match &self.host {
            Host::Ip(ip) => Ok(vec![SocketAddr::new(*ip, self.port)]),
            Host::Name(name) => {
                let query = (name.clone(), self.port);
                let found: Vec<SocketAddr> =
                    RESOLVER.run(move || query.to_socket_addrs())?.collect();
                if found.is_empty() {
                    Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("host {name:?} has no address"),
                    ))
                } else {
                    Ok(found)
                }
            }
        }
    }
}

impl Addr {
    /// [`resolve`](Self::resolve), giving up with `TimedOut` at `deadline`:
    /// the lookup itself goes on in its thread (getaddrinfo cannot be
    /// stopped) and its answer is dropped.
    pub(crate) fn resolve_until(&self, deadline: Option<Instant>) -> io::Result<Vec<SocketAddr>> {
        match (&self.host, deadline) {
            (Host::Name(_), Some(deadline)) => {
                time::timeout_at(deadline, || self.resolve()).unwrap_or_else(|e| Err(e.into()))
            }
            _ => self.resolve(),
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            Host::Ip(ip) => write!(f, "{ip}:{}", self.port),
            Host::Name(name) => write!(f, "{name}:{}", self.port),
        }
    }
}

fn parse_port(port: &str) -> Result<u16, AddrError> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddrError::InvalidPort(port.to_owned()));
    }
    port.parse()
        .map_err(|_| AddrError::InvalidPort(port.to_owned()))
}

fn parse_host(host: &str) -> Result<Host, AddrError> {
    if host.is_empty() {
        return Ok(Host::Ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    }
    if host.contains(':') {
        return Err(AddrError::InvalidIp(host.to_owned()));
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(ip)));
    }
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let name = host.strip_suffix('.').unwrap_or(host);
    if host.len() > MAX_HOST_LEN || !name.split('.').all(valid_label) {
        return Err(AddrError::InvalidHost(host.to_owned()));
    }
    Ok(Host::Name(host.to_owned()))
}

/// Anything the networking calls accept as an address: silly-style strings, and
/// the standard socket address types.
pub trait ToAddr {
    /// The parsed address.
    ///
    /// # Errors
    ///
    /// An [`AddrError`] if it is not a valid address.
    fn to_addr(&self) -> Result<Addr, AddrError>;
}

impl ToAddr for str {
    fn to_addr(&self) -> Result<Addr, AddrError> {
        Addr::parse(self)
    }
}

impl ToAddr for String {
    fn to_addr(&self) -> Result<Addr, AddrError> {
        Addr::parse(self)
    }
}

impl ToAddr for SocketAddr {
    fn to_addr(&self) -> Result<Addr, AddrError> {
        Ok(Addr {
            host: Host::Ip(self.ip()),
            port: self.port(),
        })
    }
}

impl ToAddr for Addr {
    fn to_addr(&self) -> Result<Addr, AddrError> {
        Ok(self.clone())
    }
}

impl<T: ToAddr + ?Sized> ToAddr for &T {
    fn to_addr(&self) -> Result<Addr, AddrError> {
        (**self).to_addr()
    }
}

/// Parses and resolves `addr` in one step.
///
/// # Errors
///
/// `InvalidInput` for a malformed address, or the resolver's error.
///
/// # Interrupts
///
/// As [`Addr::resolve`].
pub fn resolve(addr: impl ToAddr) -> io::Result<Vec<SocketAddr>> {
    addr.to_addr()?.resolve()
}

#[cfg(test)]
mod tests;
