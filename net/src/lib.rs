//! silly-rs networking on the coroutine runtime: blocking-style sockets whose
//! calls suspend the calling coroutine, not the thread.
//!
//! * [`tcp`]: listeners (`tcp::listen` with a coroutine per connection, or
//!   `TcpListener::accept`) and streams that implement `std::io::{Read, Write, BufRead}`.
//! * [`dns`]: silly-style addresses (`":8080"`, `"127.0.0.1:80"`, `"[::1]:80"`,
//!   `"localhost:80"`) and name resolution that does not block the loop.
//!
//! ```
//! use silly_net::tcp::{self, TcpStream};
//!
//! silly_runtime::run(|| {
//!     let server = tcp::listen("127.0.0.1:0", |conn| {
//!         let mut line = String::new();
//!         conn.read_line(&mut line).unwrap();
//!         conn.write_all(line.to_uppercase().as_bytes()).unwrap();
//!     })
//!     .unwrap();
//!     let client = TcpStream::connect(server.local_addr()).unwrap();
//!     client.write_all(b"hello\n").unwrap();
//!     let mut reply = String::new();
//!     client.read_line(&mut reply).unwrap();
//!     assert_eq!(reply, "HELLO\n");
//!     server.close();
//! });
//! ```

#![forbid(unsafe_code)]

pub use self::conn::Conn;

mod conn;
pub mod dns;
pub mod http;
mod read_buf;
pub mod tcp;
mod timeout;
pub mod tls;

#[cfg(fuzzing)]
pub mod fuzzing;
