//! HTTPS with mutual TLS against a real client: curl with `--cert`/`--key`
//! gets in and the handler sees its certificate; curl without one is refused
//! in the handshake, and the server goes on serving.

mod util;

use std::process::{Command, Output};

use silly::net::http::{self, Config};
use silly::task;
use util::pki::{mutual_tls_server, Ca};

/// Runs curl with `args` on the blocking pool (the server keeps running).
fn curl(args: &[String]) -> Output {
    let args = args.to_vec();
    task::spawn_blocking(move || {
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(&args)
            .output()
            .expect("curl is installed (.ci/deps installs it)")
    })
}

#[test]
fn curl_with_a_client_certificate() {
    let ca = Ca::new("https mtls CA");
    let client = ca.leaf_named(Some("curl-client"), &["client.example"]);
    let dir = std::env::temp_dir().join(format!("silly-mtls-curl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str, text: &str| {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        file.to_string_lossy().into_owned()
    };
    let ca_file = path("ca.pem", &ca.pem());
    let cert_file = path("client.pem", &client.cert_pem);
    let key_file = path("client.key", &client.key_pem);
    let expected = client.cert_der.to_vec();
    let tls = mutual_tls_server(&ca, &ca).alpn(vec![b"http/1.1".to_vec()]);
    silly::run(move || {
        let server = http::listen_with("127.0.0.1:0", Config::default().tls(Some(tls)), move |s| {
            let who = match s.peer_certificates() {
                Some(chain) if chain[0].as_ref() == expected.as_slice() => "curl-client",
                Some(_) => "someone else",
                None => "nobody",
            };
            let _ = s.reply(200, &[("Content-Type", "text/plain")], who.as_bytes());
        })
        .unwrap();
        let url = format!("https://localhost:{}/whoami", server.local_addr().port());
        let with_cert = |url: &String| {
            curl(&[
                "--cacert".into(),
                ca_file.clone(),
                "--cert".into(),
                cert_file.clone(),
                "--key".into(),
                key_file.clone(),
                url.clone(),
            ])
        };

        let out = with_cert(&url);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "curl-client");

        // No certificate: the handshake fails, no response comes.
        let out = curl(&["--cacert".into(), ca_file.clone(), url.clone()]);
        assert!(!out.status.success(), "refused without a certificate");
        assert!(out.stdout.is_empty());

        // The server goes on.
        let out = with_cert(&url);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "curl-client");
        server.close();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
