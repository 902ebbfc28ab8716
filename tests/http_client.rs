//! The HTTP client against our server, a third-party server, and failures.

mod util;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use silly::net::http::{self, Client, ClientConfig, Config, Timeouts};
use silly::net::tcp::TcpListener;
use silly::net::tls;
use silly::task;
use util::pki::Ca;

/// Python's standard-library HTTP server on a free port, serving `dir`.
struct PythonServer {
    child: Child,
    port: u16,
}

impl PythonServer {
    fn start(dir: &std::path::Path) -> PythonServer {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is installed");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected python output {line:?}"));
        PythonServer { child, port }
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn get_from_python_http_server() {
    let dir = std::env::temp_dir().join(format!("silly-http-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("data.bin"), &content).unwrap();
    let python = PythonServer::start(&dir);
    let port = python.port;
    silly::run(move || {
        let r = http::get(&format!("http://127.0.0.1:{port}/data.bin")).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, content);
        let missing = http::get(&format!("http://127.0.0.1:{port}/missing")).unwrap();
        assert_eq!(missing.status, 404);
        // Streaming form.
        let client = Client::default();
        let mut reader = client
            .send(
                "GET",
                &format!("http://localhost:{port}/data.bin"),
                &[],
                b"",
            )
            .unwrap();
        assert_eq!(reader.header("content-length"), Some("100000"));
        let mut total = 0;
        let mut buf = [0u8; 1000];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, 100_000);
    });
    drop(python);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn https_with_a_private_ca() {
    let ca = Ca::new("client test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_tls =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let mut config = ClientConfig::default();
    config.tls = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = http::listen_with(
            "127.0.0.1:0",
            Config::default().tls(Some(server_tls)),
            |s| {
                let scheme = s.scheme();
                s.reply(200, &[], scheme.as_bytes()).unwrap();
            },
        )
        .unwrap();
        let url = format!("https://localhost:{}/", server.local_addr().port());
        let client = Client::new(config).unwrap();
        for _ in 0..3 {
            assert_eq!(client.get(&url).unwrap().body, b"https");
        }
        // The default client does not trust the private CA.
        let err = http::get(&url).unwrap_err();
        assert!(
            err.to_string().contains("invalid peer certificate"),
            "{err}"
        );
        server.close();
    });
}

#[test]
fn redirects_only_when_asked() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| match s.path() {
            "/moved" => s.reply(302, &[("Location", "/final")], b"").unwrap(),
            "/post" => s.reply(303, &[("Location", "/final")], b"").unwrap(),
            "/loop" => s.reply(307, &[("Location", "/loop")], b"").unwrap(),
            _ => {
                let method = s.method().to_owned();
                s.reply(200, &[], method.as_bytes()).unwrap()
            }
        })
        .unwrap();
        let base = format!("http://{}", server.local_addr());
        let r = http::get(&format!("{base}/moved")).unwrap();
        assert_eq!(
            (r.status, r.header("location")),
            (302, Some("/final")),
            "not followed by default"
        );

        let mut config = ClientConfig::default();
        config.max_redirects = 3;
        let client = Client::new(config).unwrap();
        let r = client.get(&format!("{base}/moved")).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"GET"[..]));
        let r = client.post(&format!("{base}/post"), &[], b"data").unwrap();
        assert_eq!(r.body, b"GET", "303 turns POST into GET");
        let err = client.get(&format!("{base}/loop")).unwrap_err();
        assert!(matches!(err, http::Error::TooManyRedirects));
        server.close();
    });
}

#[test]
fn bad_urls_timeouts_and_refusals_are_clear_errors() {
    silly::run(|| {
        for url in ["not a url", "ftp://example.com/", "http://"] {
            let err = http::get(url).unwrap_err();
            let http::Error::InvalidUrl { url: given, error } = &err else {
                panic!("{url}: {err}");
            };
            assert_eq!(given, url);
            assert!(!err.is_timeout());
            // The reason is typed, and the parser's error stays reachable.
            let reason = std::error::Error::source(&err).unwrap();
            assert_eq!(reason.to_string(), error.to_string());
            match error {
                http::UrlError::UnsupportedScheme(scheme) => assert_eq!(scheme, "ftp"),
                http::UrlError::Parse(_) => assert!(reason.source().is_some(), "{url}"),
                other => panic!("{url}: {other}"),
            }
        }
        // A server that accepts and never answers.
        let mute = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = mute.local_addr().unwrap();
        let holder = task::fork(move || mute.accept().map(|(s, _)| s));
        let mut config = ClientConfig::default();
        config.read_timeout = Some(Duration::from_millis(100));
        let err = Client::new(config)
            .unwrap()
            .get(&format!("http://{addr}/"))
            .unwrap_err();
        assert!(err.is_timeout(), "{err}");
        match err {
            http::Error::Timeout { phase } => assert_eq!(phase, http::Phase::Head),
            other => panic!("expected a timeout, got {other}"),
        }
        drop(holder.join());
        // Nothing listens any more.
        let err = http::get(&format!("http://{addr}/")).unwrap_err();
        match err {
            http::Error::Io(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
            other => panic!("expected refused, got {other}"),
        }
        let err =
            http::request("GET", &format!("http://{addr}/"), &[("X", "a\nb")], b"").unwrap_err();
        assert!(matches!(err, http::Error::InvalidHeader(_)));
    });
}

#[test]
fn pooled_connection_closed_by_the_server_is_replaced() {
    silly::run(|| {
        let mut timeouts = Timeouts::default();
        timeouts.keep_alive = Some(Duration::from_millis(50));
        let server = http::listen_with("127.0.0.1:0", Config::default().timeouts(timeouts), |s| {
            s.reply(200, &[], b"ok").unwrap()
        })
        .unwrap();
        let url = format!("http://{}/", server.local_addr());
        let client = Client::default();
        assert_eq!(client.get(&url).unwrap().body, b"ok");
        silly::time::sleep(Duration::from_millis(150)); // the server drops the idle connection
        assert_eq!(
            client.get(&url).unwrap().body,
            b"ok",
            "retried on a new connection"
        );
        server.close();
    });
}

#[test]
fn bad_response_heads_are_typed_errors() {
    use http::ResponseError;
    silly::run(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Each connection gets the next canned answer, then the server closes.
        let answers: [&[u8]; 3] = [
            b"HTTP/1.1 2x0 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-",
            b"HTTP/1.1 302 Found\r\nLocation: http://[::1/\r\nContent-Length: 0\r\n\r\n",
        ];
        let server = task::fork(move || {
            for answer in answers {
                let (conn, _) = listener.accept().unwrap();
                let mut request = Vec::new();
                while !request.ends_with(b"\r\n\r\n") {
                    conn.read_until(b'\n', &mut request).unwrap();
                }
                conn.write_all(answer).unwrap();
            }
        });
        let mut config = ClientConfig::default();
        config.max_redirects = 1;
        let client = Client::new(config).unwrap();
        let url = format!("http://{addr}/");
        match client.get(&url).unwrap_err() {
            http::Error::InvalidResponse(ResponseError::Malformed(why)) => {
                assert_eq!(why, "invalid status")
            }
            other => panic!("expected a malformed head, got {other}"),
        }
        match client.get(&url).unwrap_err() {
            http::Error::InvalidResponse(ResponseError::Truncated) => {}
            other => panic!("expected a truncated head, got {other}"),
        }
        let err = client.get(&url).unwrap_err();
        match &err {
            http::Error::InvalidResponse(ResponseError::InvalidLocation { location, .. }) => {
                assert_eq!(location, "http://[::1/")
            }
            other => panic!("expected a bad Location, got {other}"),
        }
        // The chain reaches the URL parser's error.
        let source = std::error::Error::source(&err).unwrap();
        assert!(std::error::Error::source(source).is_some(), "{err}");
        server.join().unwrap();
    });
}
