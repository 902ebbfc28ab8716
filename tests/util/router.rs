//! Helpers of the router tests: one request on its own connection, or several
//! on one keep-alive connection, read back as status, head and body.

use std::net::SocketAddr;
use std::time::Duration;

use silly::net::tcp::TcpStream;

/// A response as the client read it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The head, status line and header lines, without the blank line.
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// `method path` on a new connection (`Connection: close`), with `extra`
/// header lines (each ending in `\r\n`).
pub fn send(addr: SocketAddr, method: &str, path: &str, extra: &str) -> Reply {
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n");
    let raw = super::raw_exchange(addr, request.as_bytes());
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {raw:?}"));
    Reply {
        status: super::status_of(head),
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// GET `path` on a new connection.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, "GET", path, "")
}

/// A keep-alive connection to `addr`.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    conn
}

/// Sends `method path` on `conn` and reads its response, whose body has a
/// Content-Length (every answer of these tests does), leaving the connection
/// open.
pub fn exchange(conn: &TcpStream, method: &str, path: &str) -> Reply {
    let request = format!("{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.write_all(request.as_bytes()).unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let n = conn.read_until(b'\n', &mut head).unwrap();
        assert!(n > 0, "connection closed inside a response head");
    }
    let head = String::from_utf8(head).unwrap();
    let head = head.trim_end_matches("\r\n").to_owned();
    let mut reply = Reply {
        status: super::status_of(&head),
        head,
        body: String::new(),
    };
    let length: usize = reply
        .header("content-length")
        .expect("a Content-Length")
        .parse()
        .unwrap();
    let mut body = vec![0u8; if method == "HEAD" { 0 } else { length }];
    conn.read_exact(&mut body).unwrap();
    reply.body = String::from_utf8(body).unwrap();
    reply
}
