//! TCP: listeners and streams whose blocking calls suspend only the calling
//! coroutine (silly's `silly.net.tcp`).
//!
//! [`listen`] runs a handler in a new coroutine for every accepted connection,
//! silly style. [`TcpListener`] gives the accept loop to you instead.
//!
//! Streams set `TCP_NODELAY` (as Go does): a request/response server wants its
//! small writes sent now, not batched by Nagle's algorithm.

mod listener;
mod per_address;
mod server;
mod shutdown;
mod steering;
mod stream;

pub use self::listener::{TcpListener, LISTEN_BACKLOG};
pub use self::per_address::refused_connections;
pub use self::server::{listen, listen_graceful, Server, ACCEPT_ERROR_BACKOFF};
pub use self::shutdown::{OnShutdown, ShutdownReport, ShutdownToken};
pub use self::stream::TcpStream;
pub(crate) use self::stream::TornWriteGuard;
