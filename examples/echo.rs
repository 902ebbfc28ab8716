//! TCP echo server, one coroutine per connection (silly's benchmark shape).
//!
//! ```text
//! cargo run --release --example echo -- 127.0.0.1:8080 [--threads N] [--grace SECS]
//! ```
//!
//! Stops on SIGINT or SIGTERM: idle connections close at once, an echo in
//! progress finishes (`examples/shared/serve.rs`).

#[path = "shared/serve.rs"]
mod serve;

use silly::net::tcp;

use self::serve::Options;

fn main() {
    let options = Options::parse("echo", "127.0.0.1:8080");
    serve::serve("echo", options, |addr| {
        tcp::listen_graceful(addr, |conn, shutdown| {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                // Waiting for the client's next bytes holds no work: a
                // shutdown closes the connection at once.
                if !shutdown.enter_idle() {
                    return;
                }
                let read = conn.read(&mut buf);
                if !shutdown.leave_idle() {
                    return;
                }
                match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if conn.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                }
            }
        })
    });
}
