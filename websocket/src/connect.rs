//! Client side: opening a WebSocket to a `ws://` or `wss://` URL.

use silly_net::http::{Client, ClientConfig};

use crate::config::Config;
use crate::deflate;
use crate::error::{Error, Rejection, Result, MAX_REJECTION_BODY_BYTES};
use crate::handshake;
use crate::socket::{HandshakeInfo, Role, Socket};

/// Connects to `url` (`ws://` or `wss://`) with extra request `headers`, and the
/// default [`Config`] (for `wss://`, the server's certificate is verified
/// against the webpki roots).
///
/// ```no_run
/// use silly_websocket::{connect, FrameType};
/// silly_runtime::run(|| {
///     let sock = connect("ws://127.0.0.1:8080/chat", &[]).unwrap();
///     sock.write(b"Hello, Server!", FrameType::Text).unwrap();
///     let (reply, _) = sock.read().unwrap();
///     println!("{}", String::from_utf8_lossy(&reply));
///     sock.close().unwrap();
/// });
/// ```
///
/// # Interrupts
///
/// As [`connect_with`].
///
/// # Errors
///
/// As [`connect_with`].
pub fn connect(url: &str, headers: &[(&str, &str)]) -> Result<Socket> {
    connect_with(url, headers, Config::default())
}

/// Connects with `config` (its `tls` for `wss://`, `protocols` offered,
/// `connect_timeout`).
///
/// # Interrupts
///
/// Nothing is left: cut short (in TCP's connect, TLS, or the handshake), the
/// connection being opened is dropped, and closed; there is no socket yet.
///
/// # Errors
///
/// [`Error::InvalidConfig`] for a setting out of range ([`Config::check`]);
/// [`Error::InvalidUrl`] for anything but `ws://` and `wss://`; [`Error::Io`]
/// (connect, TLS); [`Error::Http`] for the HTTP exchange, a
/// `connect_timeout` that passed included ([`Error::is_timeout`]);
/// [`Error::Rejected`] when the server answers anything but 101 (with its
/// status, headers and the start of its body); [`Error::Handshake`] when
/// its 101 is not a valid WebSocket answer (a wrong
/// `Sec-WebSocket-Accept`, a subprotocol not offered).
pub fn connect_with(url: &str, headers: &[(&str, &str)], config: Config) -> Result<Socket> {
    config.check()?;
    let http_url = if let Some(rest) = url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else if let Some(rest) = url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else {
        return Err(Error::InvalidUrl(format!("{url} (use ws:// or wss://)")));
    };
    let key = handshake::new_client_key();
    let protocols = config.protocols.join(", ");
    let mut request: Vec<(&str, &str)> = vec![
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key.as_str()),
        ("Sec-WebSocket-Version", handshake::VERSION),
    ];
    if !config.protocols.is_empty() {
        request.push(("Sec-WebSocket-Protocol", protocols.as_str()));
    }
    let offer = config.compression.as_ref().map(deflate::offer);
    if let Some(offer) = &offer {
        request.push(("Sec-WebSocket-Extensions", offer.as_str()));
    }
    request.extend_from_slice(headers);
    let mut http = ClientConfig::default();
    http.tls = config.tls.clone();
    http.connect_timeout = config.connect_timeout;
    http.read_timeout = config.connect_timeout;
    http.max_response_body_bytes = MAX_REJECTION_BODY_BYTES;
    let (response, upgraded) = Client::new(http)?.upgrade(&http_url, &request)?;
    if response.status != 101 {
        return Err(Error::Rejected(Box::new(Rejection {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })));
    }
    let protocol =
        handshake::check_response(response.status, &response.headers, &key, &config.protocols)
            .map_err(Error::Handshake)?;
    let agreed = deflate::check_response(
        response.headers.get_all("sec-websocket-extensions"),
        config.compression.as_ref(),
    )
    .map_err(Error::Handshake)?;
    let Some((conn, early)) = upgraded else {
        return Err(Error::Handshake(format!(
            "the server answered {}",
            response.status
        )));
    };
    let path = url::Url::parse(&http_url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    conn.set_read_timeout(None);
    let info = HandshakeInfo {
        path,
        headers: response.headers,
        protocol,
    };
    Ok(Socket::new(conn, early, Role::Client, config, info, agreed))
}
