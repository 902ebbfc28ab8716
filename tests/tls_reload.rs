//! TLS certificate reload without a restart: after `reload_tls`, new
//! handshakes get the new certificate while a connection opened before keeps
//! working; a real rustls client (`tls::connect` trusting one CA) tells the
//! certificates apart. The `https` example reloads its files on SIGHUP.

mod util;

use std::time::Duration;

use silly::net::http::{self, Config};
use silly::net::tls::{self, ClientConfig, ServerConfig, TlsStream};
use util::example::Example;
use util::pki::Ca;

fn config_of(ca: &Ca) -> ServerConfig {
    let leaf = ca.leaf(&["localhost"]);
    ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap()
}

fn echo_once(stream: &TlsStream, text: &[u8]) -> Vec<u8> {
    stream.write_all(text).unwrap();
    let mut got = vec![0u8; text.len()];
    stream.read_exact(&mut got).unwrap();
    got
}

/// Whether the handshake failed because the client does not trust the
/// server's certificate.
fn untrusted(result: std::io::Result<TlsStream>) -> bool {
    match result {
        Ok(_) => false,
        Err(err) => err.to_string().contains("UnknownIssuer"),
    }
}

#[test]
fn new_handshakes_use_the_reloaded_certificate_and_old_connections_go_on() {
    let (old_ca, new_ca) = (Ca::new("old CA"), Ca::new("new CA"));
    let (old_server, new_server) = (config_of(&old_ca), config_of(&new_ca));
    let trust_old = ClientConfig::with_ca_pem(old_ca.pem().as_bytes()).unwrap();
    let trust_new = ClientConfig::with_ca_pem(new_ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", old_server, |stream| {
            let mut buf = [0u8; 64];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let before = tls::connect(addr, "localhost", &trust_old).unwrap();
        assert_eq!(echo_once(&before, b"one"), b"one");
        assert!(untrusted(tls::connect(addr, "localhost", &trust_new)));

        server.reload_tls(new_server).unwrap();
        let after = tls::connect(addr, "localhost", &trust_new).unwrap();
        assert_eq!(echo_once(&after, b"two"), b"two");
        assert!(untrusted(tls::connect(addr, "localhost", &trust_old)));
        // The connection made before the reload is untouched.
        assert_eq!(echo_once(&before, b"three"), b"three");
    });
}

#[test]
fn an_https_server_reloads_and_a_plain_one_says_it_cannot() {
    let (old_ca, new_ca) = (Ca::new("old CA"), Ca::new("new CA"));
    let (old_server, new_server) = (config_of(&old_ca), config_of(&new_ca));
    let trust_new = ClientConfig::with_ca_pem(new_ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let hello = |s: &mut http::Stream| {
            let _ = s.reply(200, &[], b"hi");
        };
        let https = http::listen_with(
            "127.0.0.1:0",
            Config::default().tls(Some(old_server)),
            hello,
        )
        .unwrap();
        let plain = http::listen("127.0.0.1:0", hello).unwrap();
        let refused = plain.reload_tls(new_server.clone());
        assert!(
            matches!(&refused, Err(tls::TlsError::Config(e)) if e.field() == "tls"),
            "a plain HTTP server has no TLS config to replace: {refused:?}"
        );
        https.reload_tls(new_server).unwrap();
        let conn = tls::connect(https.local_addr(), "localhost", &trust_new).unwrap();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        std::io::Read::read_to_string(&mut &conn, &mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    });
}

#[test]
fn the_https_example_reloads_its_certificate_files_on_sighup() {
    let dir = std::env::temp_dir().join(format!("silly-https-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    let write = |ca: &Ca| {
        let leaf = ca.leaf(&["localhost"]);
        std::fs::write(&cert_file, leaf.cert_pem).unwrap();
        std::fs::write(&key_file, leaf.key_pem).unwrap();
    };
    let (old_ca, new_ca) = (Ca::new("old CA"), Ca::new("new CA"));
    write(&old_ca);
    let server = Example::start(
        "https",
        &[
            "127.0.0.1:0",
            cert_file.to_str().unwrap(),
            key_file.to_str().unwrap(),
        ],
    );
    let addr: std::net::SocketAddr = server.addr.parse().unwrap();
    let trust_old = ClientConfig::with_ca_pem(old_ca.pem().as_bytes()).unwrap();
    let trust_new = ClientConfig::with_ca_pem(new_ca.pem().as_bytes()).unwrap();
    silly::run({
        let trust_old = trust_old.clone();
        move || assert!(tls::connect(addr, "localhost", &trust_old).is_ok())
    });
    write(&new_ca);
    server.signal("HUP");
    server.expect_line("reloaded ", Duration::from_secs(10));
    silly::run(move || {
        assert!(tls::connect(addr, "localhost", &trust_new).is_ok());
        assert!(untrusted(tls::connect(addr, "localhost", &trust_old)));
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
