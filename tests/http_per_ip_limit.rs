//! `Limits::max_connections_per_ip` on the HTTP server: past the limit a
//! plain-HTTP client gets 429 with `Connection: close` before any request
//! is read (raw, and curl as a real client), an HTTPS client sees the
//! connection close; both are counted.

mod util;

use std::io::Read;
use std::process::Command;

use silly::net::http::{self, Config, Limits};
use silly::net::tcp::TcpStream;
use silly::net::tls::{self, ClientConfig, ServerConfig};
use util::pki::Ca;
use util::{status_of, wait_until};

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

fn limited(tls: Option<ServerConfig>) -> http::Server {
    let config = Config::default()
        .tls(tls)
        .limits(Limits::default().max_connections_per_ip(Some(2)));
    http::listen_with("127.0.0.1:0", config, |s| {
        let _ = s.reply(200, &[], b"ok");
    })
    .unwrap()
}

#[test]
fn plain_http_gets_429_then_close() {
    silly::run(|| {
        let server = limited(None);
        assert_eq!(server.max_connections_per_ip(), Some(2));
        // Changed on the running server (through Deref to tcp::Server), the
        // limit keeps its HTTP answer.
        server.set_max_connections_per_ip(Some(3)).unwrap();
        server.set_max_connections_per_ip(Some(2)).unwrap();
        // Two keep-alive clients, each with a request answered.
        let keep: Vec<TcpStream> = (0..2)
            .map(|_| {
                let conn = TcpStream::connect(server.local_addr()).unwrap();
                conn.write_all(GET).unwrap();
                let mut buf = [0u8; 256];
                let n = conn.read(&mut buf).unwrap();
                assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK\r\n"));
                conn
            })
            .collect();

        let third = TcpStream::connect(server.local_addr()).unwrap();
        let mut reply = String::new();
        (&third).read_to_string(&mut reply).unwrap(); // the server closes after it
        assert_eq!(status_of(&reply), 429, "{reply}");
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("\r\nConnection: close"), "{head}");
        let length = format!("\r\nContent-Length: {}", body.len());
        assert!(head.contains(&length), "{head} / {body:?}");
        assert_eq!(server.refused_connections(), 1);

        // A real client that sends its request at once reads the 429 too.
        let url = format!("http://{}/", server.local_addr());
        for _ in 0..3 {
            let url = url.clone();
            let out = silly::task::spawn_blocking(move || {
                Command::new("curl")
                    .args(["--silent", "--show-error", "--max-time", "20"])
                    .args(["--output", "/dev/null", "--write-out", "%{http_code}", &url])
                    .output()
                    .expect("curl is installed (.ci/deps installs it)")
            });
            assert_eq!(String::from_utf8_lossy(&out.stdout), "429", "{out:?}");
        }
        assert_eq!(server.refused_connections(), 4);

        // One keep-alive client leaves: the next is served.
        drop(keep);
        wait_until("both closed", || server.connections() == 0);
        let reply = util::raw_exchange(
            server.local_addr(),
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(status_of(&reply), 200, "{reply}");
        assert_eq!(server.refused_connections(), 4);
        server.close();
    });
}

#[test]
fn https_is_closed_without_a_handshake() {
    let ca = Ca::new("limit CA");
    let leaf = ca.leaf(&["localhost"]);
    let tls_config =
        ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = limited(Some(tls_config));
        let held: Vec<_> = (0..2)
            .map(|_| tls::connect(server.local_addr(), "localhost", &client).unwrap())
            .collect();
        wait_until("two served", || server.connections() == 2);
        let err = tls::connect(server.local_addr(), "localhost", &client).unwrap_err();
        assert_ne!(
            err.kind(),
            std::io::ErrorKind::TimedOut,
            "closed, not stalled: {err}"
        );
        assert_eq!(server.refused_connections(), 1);
        drop(held);
        server.close();
    });
}

#[test]
fn zero_is_refused_by_check() {
    let config = Config::default().limits(Limits::default().max_connections_per_ip(Some(0)));
    assert_eq!(
        config.check().unwrap_err().field(),
        "max_connections_per_ip"
    );
    silly::run(move || {
        let err = http::listen_with("127.0.0.1:0", config, |_| {}).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    });
}
