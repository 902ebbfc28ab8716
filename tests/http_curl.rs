//! Our server against a real third-party client: curl.

mod util;

use std::cell::RefCell;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::Command;
use std::rc::Rc;

use silly::net::http::{self, Config, Version};
use silly::net::tls;
use silly::task;
use util::pki::Ca;

/// Runs curl with `args` on the blocking pool (the server keeps running) and
/// returns its stdout.
fn curl(args: &[&str]) -> String {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = task::spawn_blocking(move || {
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(&owned)
            .output()
            .expect("curl is installed (.ci/run installs it)")
    });
    assert!(
        out.status.success(),
        "curl {:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A server that answers with what it saw, and records each connection's peer.
fn recording_server(
    tls: Option<tls::ServerConfig>,
) -> (silly::net::http::Server, Rc<RefCell<HashSet<SocketAddr>>>) {
    let peers = Rc::new(RefCell::new(HashSet::new()));
    let p = peers.clone();
    let handler = move |s: &mut http::Stream| {
        p.borrow_mut().insert(s.remote_addr());
        let body = s.read_all().unwrap();
        let version = if s.version() == Version::Http10 {
            "1.0"
        } else {
            "1.1"
        };
        let text = format!(
            "{} {} http/{} te={} body={}",
            s.method(),
            s.path(),
            version,
            s.header("transfer-encoding").unwrap_or("-"),
            String::from_utf8_lossy(&body)
        );
        s.reply(200, &[("Content-Type", "text/plain")], text.as_bytes())
            .unwrap();
    };
    let config = Config::default().tls(tls);
    (
        http::listen_with("127.0.0.1:0", config, handler).unwrap(),
        peers,
    )
}

#[test]
fn curl_get_post_chunked_keepalive_and_http10() {
    silly::run(|| {
        let (server, peers) = recording_server(None);
        let base = format!("http://{}", server.local_addr());

        let head_and_body = curl(&["--include", &format!("{base}/hello")]);
        assert!(
            head_and_body.starts_with("HTTP/1.1 200 OK\r\n"),
            "{head_and_body}"
        );
        assert!(head_and_body.ends_with("GET /hello http/1.1 te=- body="));

        assert_eq!(
            curl(&["--data-binary", "payload", &format!("{base}/post")]),
            "POST /post http/1.1 te=- body=payload"
        );

        let chunked = curl(&[
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "streamed",
            &format!("{base}/up"),
        ]);
        assert_eq!(chunked, "POST /up http/1.1 te=chunked body=streamed");

        peers.borrow_mut().clear();
        let two = curl(&[&format!("{base}/a"), &format!("{base}/b")]);
        assert_eq!(two, "GET /a http/1.1 te=- body=GET /b http/1.1 te=- body=");
        assert_eq!(
            peers.borrow().len(),
            1,
            "curl reused one keep-alive connection"
        );

        assert_eq!(
            curl(&["--http1.0", &format!("{base}/old")]),
            "GET /old http/1.0 te=- body="
        );
        server.close();
    });
}

#[test]
fn curl_https_with_generated_ca() {
    let ca = Ca::new("curl test CA");
    let leaf = ca.leaf(&["localhost"]);
    let dir = std::env::temp_dir().join(format!("silly-curl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let tls = tls::ServerConfig::default()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap()
        .alpn(vec!["http/1.1".into()]);
    let ca_path = ca_file.to_string_lossy().into_owned();
    silly::run(move || {
        let (server, _) = recording_server(Some(tls));
        let url = format!("https://localhost:{}/secure", server.local_addr().port());
        assert_eq!(
            curl(&["--cacert", &ca_path, &url]),
            "GET /secure http/1.1 te=- body="
        );
        // Without the CA, curl refuses the certificate; our server survives it.
        let out = task::spawn_blocking({
            let url = url.clone();
            move || {
                Command::new("curl")
                    .args(["--silent", "--max-time", "20", &url])
                    .output()
                    .unwrap()
            }
        });
        assert!(!out.status.success());
        assert_eq!(
            curl(&["--cacert", &ca_path, &url]),
            "GET /secure http/1.1 te=- body="
        );
        server.close();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
