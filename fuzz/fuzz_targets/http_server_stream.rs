//! Whole request streams (heads, Content-Length and chunked bodies, trailers,
//! pipelining) sent to a real server over loopback. Any panic aborts, so the
//! fuzzer sees it even inside a coroutine.
#![no_main]

#[path = "abort_on_panic.rs"]
mod abort_on_panic;

use std::io::Read;
use std::net::Shutdown;
use std::time::Duration;

use silly::net::http::{self, Config, Timeouts};
use silly::net::tcp::TcpStream;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    abort_on_panic::install();
    let data = data.to_vec();
    silly::run(move || {
        let mut timeouts = Timeouts::default();
        timeouts.request_head = Some(Duration::from_millis(200));
        timeouts.body_read = Some(Duration::from_millis(200));
        let server = http::listen_with(
            "127.0.0.1:0",
            Config::default().timeouts(timeouts),
            |s| {
                let body = s.read_all().unwrap_or_default();
                let _ = s.reply(200, &[("X-Len", &body.len().to_string())], &body);
            },
        )
        .unwrap();
        let conn = TcpStream::connect(server.local_addr()).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(2)));
        let _ = conn.write_all(&data);
        let _ = conn.shutdown(Shutdown::Write);
        let mut reply = Vec::new();
        let _ = (&conn).read_to_end(&mut reply);
        if !reply.is_empty() {
            assert!(reply.starts_with(b"HTTP/1.1 "), "every answer is HTTP");
        }
        server.close();
    });
});
