//! The HTTP client: one request at a time per connection, connections kept
//! alive in a per-host pool.

mod address;
mod builder;
mod config;
mod deadline;
mod default;
mod encode;
mod pool;
mod reader;
mod redirect;
mod requester;
mod response;

pub use self::builder::RequestBuilder;
pub use self::config::ClientConfig;
pub use self::default::{get, post, request};
pub use self::reader::ResponseReader;
pub use self::requester::Client;
pub use self::response::Response;
