//! TCP echo on Tokio: the peer of `examples/echo.rs`.
//!
//! ```text
//! tokio_echo ADDR [--multi]   # current_thread by default, multi_thread with --multi
//! ```

use silly_bench::peer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn main() {
    let (addr, multi) = peer::args();
    peer::runtime(multi).block_on(peer::accept_loop(&addr, |mut stream| async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if stream.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            }
        }
    }));
}
