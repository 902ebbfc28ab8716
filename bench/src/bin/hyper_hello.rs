//! The peer of `examples/http_hello.rs`: hyper on Tokio, "Hello, World!" for
//! any path, keep-alive.
//!
//! ```text
//! hyper_hello ADDR [--multi]   # current_thread by default, multi_thread with --multi
//! ```

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use silly_bench::peer;

async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::builder()
        .header("Content-Type", "text/plain")
        .body(Full::new(Bytes::from_static(b"Hello, World!")))
        .expect("a valid response"))
}

fn main() {
    let (addr, multi) = peer::args();
    peer::runtime(multi).block_on(peer::accept_loop(&addr, |stream| async move {
        let _ = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(hello))
            .await;
    }));
}
