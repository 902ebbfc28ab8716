//! Static files: [`ServeDir`] answers GET and HEAD for the files under one
//! directory, with the conditional and range requests browsers and download
//! tools make.
//!
//! Each concept in its own file: `resolve` turns the request's path into a
//! file under the root and nothing else, `content_type` names the type from the
//! extension, `conditional` holds the validators (ETag, Last-Modified) and the
//! `If-*` checks, `range` parses `Range`, `send` streams the bytes from the
//! blocking pool; `serve_dir` puts them together.

mod conditional;
mod config;
mod content_type;
mod range;
mod resolve;
mod send;
mod serve_dir;
#[cfg(test)]
mod tests;

pub use self::config::ServeDirConfig;
pub use self::serve_dir::ServeDir;
