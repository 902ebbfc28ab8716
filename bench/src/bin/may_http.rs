//! may_minihttp with one worker thread: "Hello, World!" for any path.
//!
//! ```text
//! may_http ADDR
//! ```

use std::io;

use may_minihttp::{HttpServer, HttpService, Request, Response};

#[derive(Clone)]
struct Hello;

impl HttpService for Hello {
    fn call(&mut self, _req: Request<'_, '_, '_>, res: &mut Response<'_>) -> io::Result<()> {
        res.header("Content-Type: text/plain");
        res.body("Hello, World!");
        Ok(())
    }
}

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    may::config().set_workers(1);
    // may_minihttp binds itself; find a free port first when asked for port 0.
    let addr = if addr.ends_with(":0") {
        let probe = std::net::TcpListener::bind(&addr).expect("bind");
        probe.local_addr().expect("local addr").to_string()
    } else {
        addr
    };
    let server = HttpServer(Hello).start(&addr).expect("start");
    println!("listening on {addr}");
    let _ = server.join();
}
