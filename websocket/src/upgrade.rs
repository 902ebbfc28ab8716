//! Server side: turning an HTTP request into a WebSocket.

use silly_net::http::{Stream, Version};

use crate::config::Config;
use crate::deflate;
use crate::error::{Error, Result};
use crate::handshake::{self, accept_key};
use crate::socket::{HandshakeInfo, Role, Socket};

/// Whether the request on `stream` is a WebSocket handshake that
/// [`upgrade`] would accept (the origin check aside): a `GET` over
/// HTTP/1.1 with `Upgrade: websocket`, `Connection: upgrade` (tokens, any
/// case), `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key` of 16 bytes
/// in base64 (RFC 6455, section 4.2.1). Looks only: the stream is left as
/// it was. A request that fails it but asks for an upgrade anyway
/// (`stream.header("upgrade")`) may still be given to [`upgrade`], which
/// answers it 400 or 426.
///
/// ```no_run
/// use silly_net::http;
/// use silly_websocket::{is_upgrade_request, upgrade};
///
/// silly_runtime::run(|| {
///     http::listen(":8080", |stream| {
///         if is_upgrade_request(stream) {
///             let Ok(sock) = upgrade(stream) else { return };
///             let _ = sock.close();
///         } else {
///             let _ = stream.reply(200, &[("Content-Type", "text/plain")], b"not a socket");
///         }
///     })
///     .unwrap();
///     silly_runtime::task::park();
/// });
/// ```
pub fn is_upgrade_request(stream: &Stream) -> bool {
    handshake::check_request(
        stream.method(),
        stream.version() == Version::Http11,
        stream.headers(),
    )
    .is_ok()
}

/// Upgrades the request on `stream` to a WebSocket, with the default [`Config`].
///
/// ```no_run
/// use silly_net::http;
/// use silly_websocket::{upgrade, FrameType};
///
/// silly_runtime::run(|| {
///     http::listen(":8080", |stream| {
///         let Ok(sock) = upgrade(stream) else { return }; // 400/426 already sent
///         while let Ok((data, kind)) = sock.read() {
///             match kind {
///                 FrameType::Text | FrameType::Binary => { let _ = sock.write(&data, kind); }
///                 FrameType::Close => break,
///                 _ => {}
///             }
///         }
///     })
///     .unwrap();
///     silly_runtime::task::park();
/// });
/// ```
///
/// # Interrupts
///
/// As [`upgrade_with`].
///
/// # Errors
///
/// As [`upgrade_with`].
pub fn upgrade(stream: &mut Stream) -> Result<Socket> {
    upgrade_with(stream, Config::default())
}

/// Upgrades the request on `stream` to a WebSocket with `config`: checks the
/// handshake (RFC 6455, section 4.2.1), picks a subprotocol, runs the origin
/// check, answers 101 and takes the connection.
///
/// The socket is registered with the HTTP server's shutdown (a weak
/// reference: no coroutine, no memory beyond it): when
/// `Server::shutdown` runs, the socket gets a close frame with
/// `Config::shutdown_close_code` (default 1001 Going Away), the close
/// handshake completes, and a `read` in progress returns the close.
///
/// # Interrupts
///
/// Closed: cut short while the 101 response goes out, the handler is
/// unwound with it and the HTTP server closes the connection, as for any
/// handler cut short; there is no socket yet.
///
/// # Errors
///
/// [`Error::InvalidConfig`] for a setting out of range ([`Config::check`]):
/// the client has been answered 500;
/// [`Error::Handshake`] when the request is not a valid WebSocket handshake;
/// the client has then been answered 400 (malformed), 426 (with
/// `Sec-WebSocket-Version: 13`) or 403 (origin refused).
pub fn upgrade_with(stream: &mut Stream, config: Config) -> Result<Socket> {
    let socket = accept(stream, config)?;
    // The connection may now live for hours at a shallower depth than the
    // handshake reached: give back the stack pages below here.
    silly_runtime::task::trim_stack();
    Ok(socket)
}

/// The handshake itself. Not inlined: its temporaries (the accept key, the
/// response headers, the handshake record) then leave the stack before the
/// connection settles into its read loop, instead of widening the frame that
/// stays under that loop.
#[inline(never)]
fn accept(stream: &mut Stream, config: Config) -> Result<Socket> {
    if let Err(invalid) = config.check() {
        let _ = stream.reply(500, &[("Connection", "close")], b"server misconfigured");
        return Err(invalid.into());
    }
    let checked = handshake::check_request(
        stream.method(),
        stream.version() == Version::Http11,
        stream.headers(),
    );
    let key = match checked {
        Ok(key) => key,
        Err(refusal) => {
            let headers: &[(&str, &str)] = if refusal.status == 426 {
                &[
                    ("Sec-WebSocket-Version", handshake::VERSION),
                    ("Connection", "close"),
                ]
            } else {
                &[("Connection", "close")]
            };
            let _ = stream.reply(refusal.status, headers, refusal.reason.as_bytes());
            return Err(Error::Handshake(refusal.reason.to_owned()));
        }
    };
    if let Some(check) = &config.origin_check {
        if !check(stream.header("origin")) {
            let _ = stream.reply(403, &[("Connection", "close")], b"origin not allowed");
            return Err(Error::Handshake("origin refused".into()));
        }
    }
    let protocol = handshake::pick_protocol(&config.protocols, stream.headers());
    let deflate = config.compression.as_ref().and_then(|ours| {
        deflate::accept(stream.headers().get_all("sec-websocket-extensions"), ours)
    });
    let accept = accept_key(&key);
    let mut headers = vec![
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", accept.as_str()),
    ];
    if let Some(p) = &protocol {
        headers.push(("Sec-WebSocket-Protocol", p.as_str()));
    }
    if let Some((answer, _)) = &deflate {
        headers.push(("Sec-WebSocket-Extensions", answer.as_str()));
    }
    stream.respond(101, &headers)?;
    let info = HandshakeInfo {
        path: stream.target().to_owned(),
        headers: stream.headers().clone(),
        protocol,
    };
    let (conn, early) = stream.upgrade()?;
    let agreed = deflate.map(|(_, agreed)| agreed);
    let socket = Socket::new(conn, early, Role::Server, config, info, agreed);
    socket.close_on_shutdown(stream.shutdown_token());
    Ok(socket)
}
