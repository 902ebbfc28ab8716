//! HTTP/1.1 server and client on the coroutine runtime (silly's `silly.net.http`).
//!
//! Server: [`listen`] (or [`listen_with`] and a [`Config`] for HTTPS, limits
//! and timeouts) runs a handler per request in the connection's coroutine,
//! with a [`Stream`] to read the request and write the response. Keep-alive,
//! pipelining, chunked bodies, `Expect: 100-continue`, limits and timeouts with
//! safe defaults, and the protocol's status for every bad input.
//!
//! Routing: a [`Router`] sends requests to handlers by method and path
//! pattern (`/rooms/:id`, `/static/*path`), answers 404 and 405 itself,
//! nests routers under prefixes, and runs middleware ([`Next`]) around them;
//! `http::listen(addr, router.into_handler())` serves it, over TLS too.
//!
//! Client: [`get`], [`post`], [`request`] (with the runtime's default client)
//! and [`Client`] with a keep-alive pool, over `http://` and `https://`
//! (certificates verified); per-step timeouts and a total deadline per request
//! ([`ClientConfig`], [`RequestBuilder`]), with [`Error::Timeout`] naming the
//! [`Phase`] that ran out of time.
//!
//! Around the handler: [`ServeDir`] serves static files (conditional and
//! range requests, streamed from the blocking pool);
//! [`Stream::add_response_header`] queues headers for the response another
//! part of the code makes. Feature `json`: `Stream::read_json` and
//! `reply_json` with serde, and `JsonError`, which knows its status (415,
//! 400, 413). Feature `cookies`: `Stream::cookie`, `cookies` and
//! `set_cookie` with the `cookie` crate's `Cookie`.
//!
//! Both sides read headers the same way: `header(name)` gives the first value
//! of a field, `headers()` all of them ([`Stream`], [`Response`],
//! [`ResponseReader`]). Every timeout is an `Option<Duration>` (`None`: off),
//! every error answers [`Error::is_timeout`].

mod authority;
mod body;
mod client;
mod config;
#[cfg(feature = "cookies")]
mod cookies;
mod date;
mod error;
mod files;
#[cfg(fuzzing)]
pub(crate) mod fuzzing;
mod head;
mod headers;
#[cfg(feature = "json")]
mod json;
mod response_head;
mod router;
mod server;
mod stream;
mod upgraded;
mod wire;

pub use self::client::{
    get, post, request, Client, ClientConfig, RequestBuilder, Response, ResponseReader,
};
pub use self::config::{Config, Limits, Timeouts};
pub use self::error::{Error, Phase, ResponseError, Result, UrlError};
pub use self::files::{ServeDir, ServeDirConfig};
pub use self::head::Version;
pub use self::headers::Headers;
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub use self::json::JsonError;
pub use self::router::{Next, Router};
pub use self::server::{listen, listen_with, Server};
pub use self::stream::Stream;
pub use self::upgraded::Upgraded;
/// The `cookie` crate (feature `cookies`), for what [`Cookie`] uses:
/// `cookie::time::Duration` for `max_age`, `cookie::Expiration`.
#[cfg(feature = "cookies")]
#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
pub use cookie;
#[cfg(feature = "cookies")]
#[cfg_attr(docsrs, doc(cfg(feature = "cookies")))]
pub use cookie::{Cookie, SameSite};
