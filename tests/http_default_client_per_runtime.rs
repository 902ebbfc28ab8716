//! The default client of `http::get` belongs to the runtime: two `silly::run`
//! in a row on one thread, each getting the same keep-alive server, both
//! succeed (a client kept per thread would hand the second runtime the first
//! one's pooled connection: "I/O object used outside the runtime that created
//! it").

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use silly::net::http;

/// A keep-alive HTTP server on plain threads, outside every runtime, so it
/// outlives them; counts the connections it accepted.
fn thread_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    thread::spawn(move || {
        for conn in listener.incoming().take(8) {
            let Ok(conn) = conn else { return };
            count.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut writer = conn;
                let mut line = String::new();
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line == "\r\n" => {
                            let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                            if writer.write_all(reply).is_err() {
                                return;
                            }
                        }
                        Ok(_) => {}
                    }
                }
            });
        }
    });
    (addr, accepted)
}

#[test]
fn two_runtimes_in_a_row_each_get_with_the_default_client() {
    let (addr, accepted) = thread_server();
    let url = format!("http://{addr}/");
    for round in 1..=2 {
        let url = url.clone();
        let response = silly::run(move || http::get(&url));
        let response = response.unwrap_or_else(|err| panic!("round {round}: {err}"));
        assert_eq!((response.status, &response.body[..]), (200, &b"ok"[..]));
    }
    // The first runtime's pooled connection ended with it: the second
    // runtime made its own.
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
