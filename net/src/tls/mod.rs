//! TLS on the coroutine runtime, with rustls (no OpenSSL).
//!
//! A [`TlsStream`] has the stream API of [`TcpStream`](crate::tcp::TcpStream):
//! `read`/`read_exact`/`read_until`/`read_line`/`write_all`/`shutdown`, read
//! timeouts, and `std::io::{Read, Write, BufRead}`. Its handshake runs on first use
//! (or explicitly with [`TlsStream::handshake`]) and is bounded by the config's
//! handshake timeout; a failed handshake is an `io::Error` (`InvalidData`) whose
//! inner error is the [`rustls::Error`], so callers can match on the reason.
//!
//! The client verifies the server's certificate by default, against the webpki
//! roots or the CA you give; turning that off needs a setting whose name says so.
//!
//! Mutual TLS, certificate resolvers (ACME) and other rustls settings: build
//! a `rustls` config and wrap it ([`ServerConfig::from_rustls`],
//! [`ClientConfig::from_rustls`]); [`TlsStream::peer_certificates`] gives
//! the peer's certificate chain.
//!
//! [`ServerConfig`] and [`ClientConfig`] are built as every config of
//! silly-rs (`default()`, public fields with `#[must_use]` setters, `check()`
//! run by every entry point), except for what is parsed from PEM:
//! certificates and CAs are loaded by methods that parse them and return the
//! parser's error there ([`ServerConfig::from_pem`], [`ClientConfig::ca_pem`]).
//!
//! ```no_run
//! use silly_net::tls::{self, ClientConfig};
//! use std::io::Read;
//!
//! silly_runtime::run(|| -> std::io::Result<()> {
//!     let stream = tls::connect("example.com:443", "example.com", &ClientConfig::default())?;
//!     stream.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//!     let mut page = String::new();
//!     (&stream).read_to_string(&mut page)?;
//!     Ok(())
//! })
//! .unwrap();
//! ```

mod built;
mod client_config;
mod error;
mod keys;
mod listener;
mod server_config;
mod settings;
mod stream;
mod verify;

pub use self::client_config::ClientConfig;
pub use self::error::TlsError;
pub use self::keys::crypto_provider;
pub(crate) use self::listener::{accept, CurrentConfig};
pub use self::listener::{listen, listen_graceful, Server, TlsListener};
pub use self::server_config::ServerConfig;
pub use self::settings::DEFAULT_HANDSHAKE_TIMEOUT;
pub use self::stream::{connect, TlsStream};
/// The rustls this crate is built on, for the configs given to
/// [`ServerConfig::from_rustls`] and [`ClientConfig::from_rustls`] (its types
/// must be this version's), and the certificate type of
/// [`TlsStream::peer_certificates`] (`rustls::pki_types::CertificateDer`).
pub use rustls;
