//! Routing: [`Router`] sends each request to a handler by method and path
//! pattern (`/rooms/:id`, `/static/*path`), through middleware that can
//! answer early or look at the response afterwards ([`Next`]).

mod middleware;
pub(super) mod params;
mod pattern;
mod routing;
#[cfg(test)]
mod tests;
mod tree;

pub use self::middleware::Next;
pub use self::routing::Router;
