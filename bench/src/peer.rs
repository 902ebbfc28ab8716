//! What the Tokio-based peer servers share: arguments, the runtime, the
//! accept loop. Each peer keeps only its protocol code.

use std::future::Future;

use tokio::net::TcpStream;

/// The listen address (first argument, default `127.0.0.1:8080`) and whether
/// `--multi` asks for Tokio's multi_thread runtime.
pub fn args() -> (String, bool) {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    (addr, args.any(|a| a == "--multi"))
}

/// A Tokio runtime: current_thread, or multi_thread when `multi`.
pub fn runtime(multi: bool) -> tokio::runtime::Runtime {
    if multi {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .expect("tokio runtime")
}

/// Binds `addr`, prints `listening on ADDR`, and spawns `serve` for every
/// accepted connection (with `TCP_NODELAY`, like silly-rs).
pub async fn accept_loop<F, Fut>(addr: &str, serve: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!(
        "listening on {}",
        listener.local_addr().expect("local addr")
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream));
    }
}
