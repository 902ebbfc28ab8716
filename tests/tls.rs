//! TLS server and client over loopback, with certificates made at run time.

mod util;

use std::io::{ErrorKind, Read};
use std::net::Shutdown;
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp::TcpStream;
use silly::net::tls::{self, ClientConfig, ServerConfig, TlsStream};
use silly::task;
use util::pki::Ca;

fn echo(stream: TlsStream) {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

/// The rustls error inside an `io::Error`, if it carries one.
fn rustls_error(err: &std::io::Error) -> Option<&rustls::Error> {
    err.get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
}

fn server_config(ca: &Ca) -> ServerConfig {
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    ServerConfig::default()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap()
        .alpn(vec!["h2".into(), "http/1.1".into()])
}

#[test]
fn echo_with_verified_certificate_and_alpn() {
    let ca = Ca::new("test CA");
    let server_config = server_config(&ca);
    let client_config = ClientConfig::default()
        .ca_pem(ca.pem().as_bytes())
        .unwrap()
        .alpn(vec!["http/1.1".into()]);
    silly::run(move || {
        let names = Rc::new(std::cell::RefCell::new(Vec::new()));
        let seen = names.clone();
        let server = tls::listen("127.0.0.1:0", server_config, move |stream| {
            assert_eq!(stream.alpn_protocol().as_deref(), Some(&b"http/1.1"[..]));
            seen.borrow_mut().push(stream.sni_hostname());
            echo(stream)
        })
        .unwrap();
        let stream = tls::connect(server.local_addr(), "localhost", &client_config).unwrap();
        assert_eq!(stream.alpn_protocol().as_deref(), Some(&b"http/1.1"[..]));
        for size in [1, 100, 16 * 1024, 100_000] {
            let msg: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            stream.write_all(&msg).unwrap();
            let mut got = vec![0u8; size];
            stream.read_exact(&mut got).unwrap();
            assert_eq!(got, msg);
        }
        // Clean close: close_notify, then the server's echo loop ends and closes.
        stream.shutdown(Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        (&stream).read_to_end(&mut rest).unwrap_err(); // server dropped without close_notify
                                                       // IP address as the server name.
        let by_ip = tls::connect(server.local_addr(), "127.0.0.1", &client_config).unwrap();
        by_ip.write_all(b"ip").unwrap();
        let mut two = [0u8; 2];
        by_ip.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"ip");
        // SNI carries host names only, never IP addresses (RFC 6066, section 3).
        assert_eq!(*names.borrow(), [Some("localhost".to_owned()), None]);
        server.close();
    });
}

#[test]
fn untrusted_and_wrong_name_certificates_are_refused() {
    let ca = Ca::new("test CA");
    let other_ca = Ca::new("other CA");
    let server_config = server_config(&ca);
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", server_config, echo).unwrap();
        let addr = server.local_addr();

        // The default config trusts the webpki roots, not our CA.
        // The rustls error is the source, for callers that tell reasons apart.
        let err = tls::connect(addr, "localhost", &ClientConfig::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
        assert!(
            matches!(
                rustls_error(&err),
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer
                ))
            ),
            "{err:?}"
        );

        let other = ClientConfig::with_ca_pem(other_ca.pem().as_bytes()).unwrap();
        let err = tls::connect(addr, "localhost", &other).unwrap_err();
        assert!(
            err.to_string().contains("invalid peer certificate"),
            "{err}"
        );
        assert!(
            matches!(
                rustls_error(&err),
                Some(rustls::Error::InvalidCertificate(_))
            ),
            "{err:?}"
        );

        let ours = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
        let err = tls::connect(addr, "wrong.example", &ours).unwrap_err();
        assert!(err.to_string().contains("not valid for name"), "{err}");
        assert!(
            matches!(
                rustls_error(&err),
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName
                        | rustls::CertificateError::NotValidForNameContext { .. }
                ))
            ),
            "{err:?}"
        );

        let err = tls::connect(addr, "not a name", &ours).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            matches!(
                err.get_ref().and_then(|e| e.downcast_ref::<tls::TlsError>()),
                Some(tls::TlsError::InvalidServerName { name, .. }) if name == "not a name"
            ),
            "{err:?}"
        );
        let why = err.get_ref().and_then(std::error::Error::source);
        assert!(
            why.is_some_and(|e| e.is::<rustls::pki_types::InvalidDnsNameError>()),
            "the name parser's error is kept: {err:?}"
        );

        // The loudly named opt-out accepts it anyway.
        let anything = ClientConfig::default().dangerous_accept_invalid_certs(true);
        let s = tls::connect(addr, "wrong.example", &anything).unwrap();
        s.write_all(b"ok").unwrap();
        let mut buf = [0u8; 2];
        s.read_exact(&mut buf).unwrap();

        // And the server is still serving verified clients.
        let s = tls::connect(addr, "localhost", &ours).unwrap();
        s.write_all(b"still").unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"still");
        server.close();
    });
}

#[test]
fn plain_tcp_client_and_silent_client_do_not_stall_the_server() {
    let ca = Ca::new("test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server_config = ServerConfig::default()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap()
        .handshake_timeout(Some(Duration::from_millis(200)));
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", server_config, echo).unwrap();
        let addr = server.local_addr();

        // Plain HTTP to the TLS port: the server answers with an alert and closes.
        let plain = TcpStream::connect(addr).unwrap();
        plain
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = Vec::new();
        let _ = (&plain).read_to_end(&mut reply);
        assert!(
            reply.len() < 64,
            "a TLS alert at most, got {} bytes",
            reply.len()
        );

        // A client that never speaks is dropped after the handshake timeout,
        // while others are served meanwhile.
        let silent = Rc::new(TcpStream::connect(addr).unwrap());
        let s = silent.clone();
        let waiter = task::fork(move || {
            let mut buf = [0u8; 16];
            s.read(&mut buf)
        });
        let ok = tls::connect(addr, "localhost", &client_config).unwrap();
        ok.write_all(b"hi").unwrap();
        let mut buf = [0u8; 2];
        ok.read_exact(&mut buf).unwrap();
        let closed = waiter.join().unwrap();
        assert!(
            matches!(closed, Ok(0)) || closed.is_err(),
            "silent client was disconnected: {closed:?}"
        );
        server.close();
    });
}

#[test]
fn client_handshake_times_out_against_a_mute_server() {
    silly::run(|| {
        let listener = silly::net::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hold = task::fork(move || listener.accept().map(|(s, _)| s)); // accepts, never answers
        let config = ClientConfig::default()
            .dangerous_accept_invalid_certs(true)
            .handshake_timeout(Some(Duration::from_millis(100)));
        let err = tls::connect(addr, "localhost", &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        drop(hold.join());
    });
}

#[test]
fn sni_picks_the_certificate() {
    let ca = Ca::new("test CA");
    let a = ca.leaf(&["a.test"]);
    let b = ca.leaf(&["b.test"]);
    let config = ServerConfig::default()
        .cert(a.cert_pem.as_bytes(), a.key_pem.as_bytes())
        .unwrap()
        .sni_cert("B.test", b.cert_pem.as_bytes(), b.key_pem.as_bytes())
        .unwrap();
    let client = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", config, echo).unwrap();
        let addr = server.local_addr();
        // Each name verifies only if the server sent that name's certificate.
        tls::connect(addr, "a.test", &client).unwrap();
        tls::connect(addr, "b.test", &client).unwrap();
        server.close();
    });
}

#[test]
fn concurrent_reader_and_writer_on_one_stream() {
    let ca = Ca::new("test CA");
    let server_config = server_config(&ca);
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    const TOTAL: usize = 4 * 1024 * 1024;
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", server_config, echo).unwrap();
        let stream =
            Rc::new(tls::connect(server.local_addr(), "localhost", &client_config).unwrap());
        let writer_stream = stream.clone();
        let writer = task::fork(move || {
            let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i % 253) as u8).collect();
            for _ in 0..TOTAL / chunk.len() {
                writer_stream.write_all(&chunk).unwrap();
            }
        });
        let mut received = 0;
        let mut buf = vec![0u8; 32 * 1024];
        while received < TOTAL {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0);
            for (i, b) in buf[..n].iter().enumerate() {
                assert_eq!(*b, (((received + i) % (64 * 1024)) % 253) as u8);
            }
            received += n;
        }
        writer.join().unwrap();
        server.close();
    });
}

#[test]
fn lines_over_tls_and_clean_eof() {
    let ca = Ca::new("test CA");
    let server_config = server_config(&ca);
    let client_config = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let server = tls::listen("127.0.0.1:0", server_config, |stream| {
            stream.write_all(b"one\ntwo\nthree").unwrap();
            stream.close(); // close_notify
        })
        .unwrap();
        let stream = tls::connect(server.local_addr(), "localhost", &client_config).unwrap();
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        assert_eq!(line, "one\n");
        line.clear();
        stream.read_line(&mut line).unwrap();
        assert_eq!(line, "two\n");
        let mut rest = String::new();
        (&stream).read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "three", "clean EOF after close_notify");
        server.close();
    });
}

#[test]
fn bad_pem_is_a_typed_error() {
    use silly::net::tls::TlsError;
    assert!(matches!(
        ServerConfig::from_pem(b"", b""),
        Err(TlsError::NoCertificate)
    ));
    let ca = Ca::new("test CA");
    let leaf = ca.leaf(&["x"]);
    assert!(matches!(
        ServerConfig::from_pem(leaf.cert_pem.as_bytes(), b"nothing"),
        Err(TlsError::NoPrivateKey)
    ));
    let other = ca.leaf(&["y"]);
    let mismatch = ServerConfig::from_pem(leaf.cert_pem.as_bytes(), other.key_pem.as_bytes());
    assert!(matches!(mismatch, Err(TlsError::Rustls(_))), "{mismatch:?}");
    // Broken PEM keeps the parser's error as its source.
    let broken = ServerConfig::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n", b"");
    let Err(err @ TlsError::Pem(_)) = broken else {
        panic!("{broken:?}");
    };
    assert!(std::error::Error::source(&err).is_some());
    assert!(matches!(
        ClientConfig::with_ca_pem(b"junk"),
        Err(TlsError::NoCertificate)
    ));
}
