//! TLS configs follow the one config convention: plain values are public
//! fields with setters, certificates are loaded by methods that parse them,
//! `check` refuses what cannot work, and every TLS entry point runs it first
//! (an `InvalidInput` whose source is the `ConfigError`).

mod util;

use std::io::{self, ErrorKind};
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::net::tls::{self, ClientConfig, ServerConfig, TlsError, TlsListener, TlsStream};
use silly::task;
use silly_runtime::config::ConfigError;
use util::pki::Ca;

fn server_config(ca: &Ca) -> ServerConfig {
    let leaf = ca.leaf(&["localhost"]);
    ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap()
}

/// The field of the config error an entry point returned.
fn refused_field(err: &io::Error) -> &'static str {
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    err.get_ref()
        .and_then(|e| e.downcast_ref::<ConfigError>())
        .unwrap_or_else(|| panic!("a ConfigError source: {err:?}"))
        .field()
}

#[test]
fn setters_set_their_field_and_only_it() {
    let ca = Ca::new("setters CA");
    let ms = Duration::from_millis;
    let server = server_config(&ca)
        .handshake_timeout(Some(ms(5)))
        .alpn(vec!["h2".into()]);
    assert_eq!(
        (server.handshake_timeout, server.alpn.clone()),
        (Some(ms(5)), vec![b"h2".to_vec()])
    );
    assert_eq!(
        server_config(&ca).alpn(vec!["h2".into()]).handshake_timeout,
        Some(tls::DEFAULT_HANDSHAKE_TIMEOUT),
        "other fields keep their defaults"
    );
    let client = ClientConfig::default()
        .handshake_timeout(None)
        .alpn(vec!["http/1.1".into()])
        .dangerous_accept_invalid_certs(true);
    assert_eq!(
        (
            client.handshake_timeout,
            client.alpn.clone(),
            client.dangerous_accept_invalid_certs
        ),
        (None, vec![b"http/1.1".to_vec()], true)
    );
    assert!(!ClientConfig::default().dangerous_accept_invalid_certs);
    assert!(server.check().is_ok() && client.check().is_ok());
}

#[test]
fn check_names_the_field_that_cannot_work() {
    let ca = Ca::new("check CA");
    let no_cert = ServerConfig::default().check().unwrap_err();
    assert_eq!(
        (no_cert.config(), no_cert.field()),
        ("ServerConfig", "cert")
    );
    let zero = server_config(&ca)
        .handshake_timeout(Some(Duration::ZERO))
        .check()
        .unwrap_err();
    assert_eq!(zero.field(), "handshake_timeout");
    let zero = ClientConfig::default()
        .handshake_timeout(Some(Duration::ZERO))
        .check()
        .unwrap_err();
    assert_eq!(
        (zero.config(), zero.field()),
        ("ClientConfig", "handshake_timeout")
    );
    for bad in [Vec::new(), vec![b'x'; 256]] {
        let err = ClientConfig::default().alpn(vec![bad.clone()]).check();
        assert_eq!(err.unwrap_err().field(), "alpn");
        let err = server_config(&ca).alpn(vec![b"h2".to_vec(), bad]).check();
        assert_eq!(err.unwrap_err().field(), "alpn");
    }
    assert!(server_config(&ca)
        .alpn(vec![vec![b'x'; 255]])
        .check()
        .is_ok());
    assert!(server_config(&ca).handshake_timeout(None).check().is_ok());
}

#[test]
fn every_entry_point_checks_its_config_first() {
    let ca = Ca::new("entry CA");
    silly::run(move || {
        let no_cert = ServerConfig::default();
        let err = tls::listen("127.0.0.1:0", no_cert.clone(), |_| {}).unwrap_err();
        assert_eq!(refused_field(&err), "cert");
        let err = tls::listen_graceful("127.0.0.1:0", no_cert.clone(), |_, _| {}).unwrap_err();
        assert_eq!(refused_field(&err), "cert");
        let err = TlsListener::bind("127.0.0.1:0", no_cert.clone()).unwrap_err();
        assert_eq!(refused_field(&err), "cert");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = task::fork(move || listener.accept().unwrap().0);
        let tcp = TcpStream::connect(addr).unwrap();
        let err = TlsStream::server(accepted.join().unwrap(), &no_cert).unwrap_err();
        assert_eq!(refused_field(&err), "cert");

        let zero = ClientConfig::default().handshake_timeout(Some(Duration::ZERO));
        // Refused before any connect: nothing listens on the address.
        let err = tls::connect("127.0.0.1:1", "localhost", &zero).unwrap_err();
        assert_eq!(refused_field(&err), "handshake_timeout");
        let err = TlsStream::client(tcp, "localhost", &zero).unwrap_err();
        assert_eq!(refused_field(&err), "handshake_timeout");

        // A reload is refused the same way, and the server keeps its config.
        let trusted = ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
        let server = tls::listen("127.0.0.1:0", server_config(&ca), |s| {
            let _ = s.write_all(b"ok");
        })
        .unwrap();
        let Err(TlsError::Config(err)) = server.reload_tls(no_cert) else {
            panic!("an invalid config is refused");
        };
        assert_eq!(err.field(), "cert");
        let client = tls::connect(server.local_addr(), "localhost", &trusted).unwrap();
        let mut ok = [0u8; 2];
        client.read_exact(&mut ok).unwrap();
        assert_eq!(&ok, b"ok");
        server.close();
    });
}

/// The rustls config built for a config is shared by its clones: a clone
/// given another ALPN list, or another certificate, must not get the one
/// built for the original.
#[test]
fn clones_with_other_settings_get_their_own_rustls_config() {
    let (ca, other_ca) = (Ca::new("first CA"), Ca::new("second CA"));
    let first = server_config(&ca).alpn(vec!["h2".into()]);
    let second = first.clone().alpn(vec!["http/1.1".into()]);
    let other_leaf = other_ca.leaf(&["localhost"]);
    let recertified = first
        .clone()
        .cert(
            other_leaf.cert_pem.as_bytes(),
            other_leaf.key_pem.as_bytes(),
        )
        .unwrap();
    let trust_first = ClientConfig::with_ca_pem(ca.pem().as_bytes())
        .unwrap()
        .alpn(vec!["h2".into(), "http/1.1".into()]);
    let trust_other = ClientConfig::with_ca_pem(other_ca.pem().as_bytes()).unwrap();
    silly::run(move || {
        let serve = |config: ServerConfig| {
            tls::listen("127.0.0.1:0", config, |s| {
                let _ = s.write_all(b"!");
            })
            .unwrap()
        };
        // Each listen builds (or reuses) the rustls config of its settings.
        let servers = [serve(first), serve(second), serve(recertified)];
        let alpn_of = |server: &tls::Server| {
            let stream = tls::connect(server.local_addr(), "localhost", &trust_first).unwrap();
            stream.handshake().unwrap();
            stream.alpn_protocol()
        };
        assert_eq!(alpn_of(&servers[0]).as_deref(), Some(&b"h2"[..]));
        assert_eq!(alpn_of(&servers[1]).as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(alpn_of(&servers[0]).as_deref(), Some(&b"h2"[..]));
        let stream = tls::connect(servers[2].local_addr(), "localhost", &trust_other).unwrap();
        stream.handshake().unwrap();
        assert!(tls::connect(servers[2].local_addr(), "localhost", &trust_first).is_err());
        for server in &servers {
            server.close();
        }
    });
}

#[test]
fn tls_errors_answer_is_timeout_and_keep_their_sources() {
    let err = ServerConfig::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n", b"").unwrap_err();
    assert!(!err.is_timeout());
    assert!(std::error::Error::source(&err).is_some());
    let config_err = TlsError::from(ServerConfig::default().check().unwrap_err());
    assert!(!config_err.is_timeout());
    let source = std::error::Error::source(&config_err).unwrap();
    assert!(source.is::<ConfigError>());
    // As an io::Error the config error is the source itself, as for every
    // entry point of silly-rs.
    let io_err = io::Error::from(config_err);
    assert_eq!(io_err.kind(), ErrorKind::InvalidInput);
    assert!(io_err.get_ref().unwrap().is::<ConfigError>());
}
