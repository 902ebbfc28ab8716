//! Plaintext "Hello, World!" HTTP server: any path, keep-alive (the benchmark shape).
//!
//! ```text
//! cargo run --release --example http_hello -- 127.0.0.1:8080
//! curl http://127.0.0.1:8080/
//! ```

use silly::net::http::{self, Config};

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    silly::run(move || {
        let config = Config::new(addr.as_str(), |stream| {
            let _ = stream.reply(200, &[("Content-Type", "text/plain")], b"Hello, World!");
        });
        match http::listen(config) {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park();
            }
            Err(err) => {
                eprintln!("http_hello: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}
