//! A WebSocket upgrade is just a route: a third-party client (tungstenite)
//! connects to a `get` route with a path parameter; other paths get 404.

mod util;

use silly::net::http::{self, Router};
use silly::net::websocket::{self, FrameType};
use tungstenite::Message;

#[test]
fn websocket_on_a_route() {
    silly::run(|| {
        let router = Router::new()
            .get("/", |s| s.close(b"home").unwrap())
            .get("/ws/:room", |s| {
                let room = s.param("room").unwrap().to_owned();
                let Ok(sock) = websocket::upgrade(s) else {
                    return;
                };
                while let Ok((data, FrameType::Text)) = sock.read() {
                    let reply = format!("{room}: {}", String::from_utf8_lossy(&data));
                    if sock.write(reply.as_bytes(), FrameType::Text).is_err() {
                        return;
                    }
                }
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();
        let peer = silly::task::spawn_blocking(move || {
            let (mut ws, response) = tungstenite::connect(format!("ws://{addr}/ws/lobby")).unwrap();
            assert_eq!(response.status(), 101);
            ws.send(Message::text("hi")).unwrap();
            let echoed = ws.read().unwrap();
            ws.close(None).unwrap();
            let missing = match tungstenite::connect(format!("ws://{addr}/chat")) {
                Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
                other => panic!("expected a refusal, got {other:?}"),
            };
            (echoed, missing)
        });
        assert_eq!(peer, (Message::text("lobby: hi"), 404));
        assert_eq!(util::router::get(addr, "/").body, "home");
        server.close();
    });
}
