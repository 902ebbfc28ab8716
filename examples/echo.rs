//! TCP echo server, one coroutine per connection (silly's benchmark shape).
//!
//! ```text
//! cargo run --release --example echo -- 127.0.0.1:8080
//! ```

use silly::net::tcp;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    silly::run(move || {
        let server = tcp::listen(addr.as_str(), |conn| {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if conn.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        match server {
            Ok(server) => {
                println!("listening on {}", server.local_addr());
                silly::task::park(); // serve until killed
            }
            Err(err) => {
                eprintln!("echo: cannot listen on {addr}: {err}");
                silly::exit(1);
            }
        }
    });
}
