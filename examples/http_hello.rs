//! Plaintext "Hello, World!" HTTP server: any path, keep-alive (the benchmark shape).
//!
//! ```text
//! cargo run --release --example http_hello -- 127.0.0.1:8080 [router|router-layer] [--threads N] [--grace SECS]
//! curl http://127.0.0.1:8080/
//! ```
//!
//! With `router`, requests go through an `http::Router` of a few routes
//! (`/` answers; any other path gets 404), and with `router-layer` also
//! through one middleware that only calls the next: what routing costs on
//! the benchmark's path (issue 23, item 10).
//!
//! Stops on SIGINT or SIGTERM: requests in progress are answered with
//! `Connection: close`, idle keep-alive connections close at once.

#[path = "shared/serve.rs"]
mod serve;

use silly::net::http::{self, Router, Stream};

use self::serve::Options;

fn hello(stream: &mut Stream) {
    let _ = stream.reply(200, &[("Content-Type", "text/plain")], b"Hello, World!");
}

/// The routes of a small service, `/` among them.
fn router(layer: bool) -> Router {
    let router = Router::new()
        .get("/", hello)
        .get("/health", hello)
        .get("/rooms/:id", hello)
        .post("/rooms/:id/messages", hello)
        .get("/static/*path", hello);
    if layer {
        router.layer(|s, next| next.run(s))
    } else {
        router
    }
}

fn main() {
    let options = Options::parse("http_hello", "127.0.0.1:8080");
    let mode = options.rest.first().cloned().unwrap_or_default();
    if !["", "router", "router-layer"].contains(&mode.as_str()) {
        eprintln!("http_hello: unknown mode {mode:?} (router or router-layer)");
        std::process::exit(2);
    }
    serve::serve("http_hello", options, move |addr| match mode.as_str() {
        "" => http::listen(addr, hello),
        mode => http::listen(addr, router(mode == "router-layer").into_handler()),
    });
}
