//! Many concurrent clients against a `tcp::listen` echo server.

mod util;

use std::rc::Rc;

use silly::net::tcp::{self, TcpStream};
use silly::task;

fn echo(conn: TcpStream) {
    let mut buf = [0u8; 4096];
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
}

/// FNV-1a over a byte stream, order-sensitive.
fn fold(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = (hash ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    hash
}

#[test]
fn two_hundred_clients_thousand_messages_each() {
    const CLIENTS: u64 = 200;
    const MESSAGES: usize = 1000;
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", echo).unwrap();
        let addr = server.local_addr();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                task::fork(move || {
                    let conn = Rc::new(TcpStream::connect(addr).unwrap());
                    let mut rng = util::Rng::new(c + 1);
                    let mut messages = Vec::with_capacity(MESSAGES);
                    for _ in 0..MESSAGES {
                        let mut m = vec![0u8; 1 + rng.below(200) as usize];
                        rng.fill(&mut m);
                        messages.push(m);
                    }
                    let total: usize = messages.iter().map(Vec::len).sum();
                    let sent_hash = messages
                        .iter()
                        .fold(0xcbf2_9ce4_8422_2325, |h, m| fold(h, m));
                    // One coroutine writes while another reads the same stream.
                    let writer_conn = conn.clone();
                    let writer = task::fork(move || {
                        for m in &messages {
                            writer_conn.write_all(m).unwrap();
                        }
                    });
                    let mut received = 0;
                    let mut hash = 0xcbf2_9ce4_8422_2325;
                    let mut buf = [0u8; 8192];
                    while received < total {
                        let n = conn.read(&mut buf).unwrap();
                        assert!(n > 0, "server closed early");
                        hash = fold(hash, &buf[..n]);
                        received += n;
                    }
                    writer.join().unwrap();
                    assert_eq!(received, total);
                    assert_eq!(hash, sent_hash, "client {c}: echoed bytes differ");
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        server.close();
    });
}

#[test]
fn std_io_traits_work_on_streams() {
    use std::io::{BufRead, Read, Write};
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            let mut conn = conn;
            let mut lines = Vec::new();
            let mut line = String::new();
            while conn.read_line(&mut line).unwrap() > 0 {
                lines.push(line.trim_end().to_owned());
                line.clear();
            }
            // BufRead consumed everything; reply through Write on &TcpStream.
            Write::write_all(&mut &conn, lines.join(",").as_bytes()).unwrap(); // on &TcpStream
            conn.flush().unwrap();
            assert_eq!(conn.fill_buf().unwrap(), b"", "EOF after the peer's FIN");
        })
        .unwrap();
        let mut client = TcpStream::connect(server.local_addr()).unwrap();
        writeln!(client, "alpha").unwrap();
        write!(client, "beta\ngam").unwrap();
        client.write_all(b"ma\n").unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        assert_eq!(reply, "alpha,beta,gamma");
        server.close();
    });
}

#[test]
fn read_exact_and_read_until() {
    silly::run(|| {
        let server = tcp::listen("127.0.0.1:0", |conn| {
            conn.write_all(b"HEAD\r\nbody:0123456789").unwrap();
        })
        .unwrap();
        let client = TcpStream::connect(server.local_addr()).unwrap();
        let mut head = Vec::new();
        client.read_until(b'\n', &mut head).unwrap();
        assert_eq!(head, b"HEAD\r\n");
        let mut tag = [0u8; 5];
        client.read_exact(&mut tag).unwrap();
        assert_eq!(&tag, b"body:");
        let mut digits = [0u8; 10];
        client.read_exact(&mut digits).unwrap();
        assert_eq!(&digits, b"0123456789");
        let mut more = [0u8; 1];
        let err = client.read_exact(&mut more).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
        server.close();
    });
}
