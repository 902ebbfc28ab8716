//! Plaintext "Hello, World!" HTTP server: any path, keep-alive (the benchmark shape).
//!
//! ```text
//! cargo run --release --example http_hello -- 127.0.0.1:8080 [--threads N] [--grace SECS]
//! curl http://127.0.0.1:8080/
//! ```
//!
//! Stops on SIGINT or SIGTERM: requests in progress are answered with
//! `Connection: close`, idle keep-alive connections close at once.

#[path = "shared/serve.rs"]
mod serve;

use silly::net::http;

use self::serve::Options;

fn main() {
    let options = Options::parse("http_hello", "127.0.0.1:8080");
    serve::serve("http_hello", options, |addr| {
        http::listen(addr, |stream| {
            let _ = stream.reply(200, &[("Content-Type", "text/plain")], b"Hello, World!");
        })
    });
}
