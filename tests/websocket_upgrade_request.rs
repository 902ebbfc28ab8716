//! `websocket::is_upgrade_request` tells a WebSocket handshake that
//! `upgrade` would accept from any other request, looking only: a handler
//! that asks and then answers plain HTTP leaves the request as it was.

mod util;

use silly::net::http;
use silly::net::websocket;

/// A server that answers every request "yes" or "no!": whether it is an
/// upgrade request.
fn asker() -> http::Server {
    http::listen("127.0.0.1:0", |stream| {
        let body: &[u8] = if websocket::is_upgrade_request(stream) {
            b"yes"
        } else {
            b"no!"
        };
        let _ = stream.reply(200, &[("Connection", "close")], body);
    })
    .unwrap()
}

fn ask(addr: std::net::SocketAddr, request_line: &str, headers: &[&str]) -> bool {
    let mut request = format!("{request_line}\r\nHost: x\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let reply = util::raw_exchange(addr, request.as_bytes());
    assert_eq!(util::status_of(&reply), 200, "{reply}");
    match &reply[reply.len() - 3..] {
        "yes" => true,
        "no!" => false,
        other => panic!("{other:?} in {reply}"),
    }
}

const UPGRADE: &str = "Upgrade: websocket";
const CONNECTION: &str = "Connection: Upgrade";
const VERSION: &str = "Sec-WebSocket-Version: 13";
const KEY: &str = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

#[test]
fn only_a_whole_handshake_is_an_upgrade_request() {
    silly::run(|| {
        let server = asker();
        let addr = server.local_addr();
        let get = "GET /chat HTTP/1.1";
        assert!(ask(addr, get, &[UPGRADE, CONNECTION, VERSION, KEY]));
        // Tokens in lists, any case.
        assert!(ask(
            addr,
            get,
            &[
                "Upgrade: WebSocket",
                "Connection: keep-alive, upgrade",
                VERSION,
                KEY
            ]
        ));
        assert!(!ask(addr, get, &[]), "a plain GET");
        assert!(!ask(
            addr,
            "POST /chat HTTP/1.1",
            &[UPGRADE, CONNECTION, VERSION, KEY, "Content-Length: 0"]
        ));
        assert!(!ask(
            addr,
            "GET /chat HTTP/1.0",
            &[UPGRADE, CONNECTION, VERSION, KEY]
        ));
        assert!(!ask(addr, get, &[CONNECTION, VERSION, KEY]), "no Upgrade");
        assert!(!ask(addr, get, &["Upgrade: h2c", CONNECTION, VERSION, KEY]));
        assert!(!ask(addr, get, &[UPGRADE, VERSION, KEY]), "no Connection");
        assert!(!ask(
            addr,
            get,
            &[UPGRADE, "Connection: keep-alive", VERSION, KEY]
        ));
        assert!(!ask(addr, get, &[UPGRADE, CONNECTION, KEY]), "no version");
        assert!(!ask(
            addr,
            get,
            &[UPGRADE, CONNECTION, "Sec-WebSocket-Version: 12", KEY]
        ));
        assert!(!ask(addr, get, &[UPGRADE, CONNECTION, VERSION]), "no key");
        assert!(!ask(
            addr,
            get,
            &[UPGRADE, CONNECTION, VERSION, "Sec-WebSocket-Key: c2hvcnQ="]
        ));
        server.close();
    });
}

#[test]
fn asking_leaves_the_request_to_upgrade() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            if !websocket::is_upgrade_request(stream) {
                let _ = stream.reply(404, &[], b"");
                return;
            }
            let sock = websocket::upgrade(stream).unwrap();
            let _ = sock.write(b"upgraded", websocket::FrameType::Text);
            let _ = sock.close();
        })
        .unwrap();
        let url = format!("ws://{}/", server.local_addr());
        let sock = websocket::connect(&url, &[]).unwrap();
        let (data, _) = sock.read().unwrap();
        assert_eq!(data, b"upgraded");
        server.close();
    });
}
