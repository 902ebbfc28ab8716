//! HTTPS server that reloads its certificate on SIGHUP.
//!
//! ```text
//! cargo run --example https -- 127.0.0.1:8443 cert.pem key.pem [--grace SECS]
//! curl --cacert cert.pem https://localhost:8443/
//! kill -HUP <pid>     # after renewing cert.pem and key.pem: new handshakes use them
//! ```
//!
//! Without the two files it makes a self-signed certificate at start (for
//! `localhost` and `127.0.0.1`; `curl --insecure`) and has nothing to reload.
//!
//! On SIGHUP it reads both files again; if they hold a valid certificate and
//! key, handshakes from then on use them (connections already open keep the
//! old one) and it prints `reloaded CERT_FILE`; if not, it logs the error and
//! keeps the certificate it has. SIGINT or SIGTERM stops it gracefully.

#[path = "shared/serve.rs"]
mod serve;

use std::rc::Rc;

use silly::net::http::{self, Config};
use silly::net::tls::ServerConfig;
use silly::signal::{self, Signal};
use silly::task;

use self::serve::Options;

fn main() {
    let options = Options::parse("https", "127.0.0.1:8443");
    let files = match options.rest.as_slice() {
        [] => None,
        [cert, key] => Some((cert.clone(), key.clone())),
        _ => {
            eprintln!("usage: https [ADDR] [CERT_FILE KEY_FILE] [--grace SECS]");
            std::process::exit(2);
        }
    };
    let tls = match &files {
        Some((cert, key)) => load(cert, key).unwrap_or_else(|err| {
            eprintln!("https: {err}");
            std::process::exit(1);
        }),
        None => self_signed(),
    };
    serve::serve("https", options, move |addr| {
        let handler = |stream: &mut http::Stream| {
            let text = format!(
                "Hello over {} from {}\n",
                stream.scheme(),
                stream.remote_addr()
            );
            let _ = stream.reply(200, &[("Content-Type", "text/plain")], text.as_bytes());
        };
        let config = Config::default().tls(Some(tls.clone()));
        let server = Rc::new(http::listen_with(addr, config, handler)?);
        if let Some((cert, key)) = files.clone() {
            let reloading = server.clone();
            task::fork(move || reload_on_hangup(&reloading, &cert, &key));
            // It starts catching SIGHUP before `listening on` is printed:
            // until then SIGHUP would end the process.
            task::yield_now();
        }
        Ok(server)
    });
}

/// Reads the certificate chain and key files into a TLS config.
fn load(cert: &str, key: &str) -> Result<ServerConfig, String> {
    let cert_pem = std::fs::read(cert).map_err(|e| format!("cannot read {cert}: {e}"))?;
    let key_pem = std::fs::read(key).map_err(|e| format!("cannot read {key}: {e}"))?;
    ServerConfig::from_pem(&cert_pem, &key_pem)
        .map(|config| config.alpn(vec!["http/1.1".into()]))
        .map_err(|e| format!("{cert}, {key}: {e}"))
}

/// A certificate for `localhost` and `127.0.0.1`, made now.
fn self_signed() -> ServerConfig {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    ServerConfig::from_pem(
        cert.cert.pem().as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .expect("a valid TLS config")
    .alpn(vec!["http/1.1".into()])
}

/// Each SIGHUP: the files again, for the handshakes that follow. Until
/// the runtime ends (the server's stop ends the main task, which drops this
/// coroutine).
fn reload_on_hangup(server: &http::Server, cert: &str, key: &str) {
    while signal::wait(&[Signal::Hup]).is_ok() {
        match load(cert, key)
            .and_then(|config| server.reload_tls(config).map_err(|e| e.to_string()))
        {
            Ok(()) => {
                log::info!("reloaded {cert}");
                serve::say(format_args!("reloaded {cert}"));
            }
            Err(err) => log::error!("reload failed, keeping the certificate: {err}"),
        }
    }
}
