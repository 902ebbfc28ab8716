//! HTTP/1.1 server and client on the coroutine runtime (silly's `silly.net.http`).
//!
//! Server: [`listen`] (or [`listen_with`] and a [`Config`] for HTTPS, limits
//! and timeouts) runs a handler per request in the connection's coroutine,
//! with a [`Stream`] to read the request and write the response. Keep-alive,
//! pipelining, chunked bodies, `Expect: 100-continue`, limits and timeouts with
//! safe defaults, and the protocol's status for every bad input.
//!
//! Client: [`get`], [`post`], [`request`] (with the runtime's default client)
//! and [`Client`] with a keep-alive pool, over `http://` and `https://`
//! (certificates verified); per-step timeouts and a total deadline per request
//! ([`ClientConfig`], [`RequestBuilder`]), with [`Error::Timeout`] naming the
//! [`Phase`] that ran out of time.
//!
//! Both sides read headers the same way: `header(name)` gives the first value
//! of a field, `headers()` all of them ([`Stream`], [`Response`],
//! [`ResponseReader`]). Every timeout is an `Option<Duration>` (`None`: off),
//! every error answers [`Error::is_timeout`].

mod authority;
mod body;
mod client;
mod config;
mod date;
mod error;
#[cfg(fuzzing)]
pub(crate) mod fuzzing;
mod head;
mod headers;
mod response_head;
mod server;
mod stream;
mod upgraded;
mod wire;

pub use self::client::{
    get, post, request, Client, ClientConfig, RequestBuilder, Response, ResponseReader,
};
pub use self::config::{Config, Limits, Timeouts};
pub use self::error::{Error, Phase, ResponseError, Result, UrlError};
pub use self::head::Version;
pub use self::headers::Headers;
pub use self::server::{listen, listen_with, Server};
pub use self::stream::Stream;
pub use self::upgraded::Upgraded;
