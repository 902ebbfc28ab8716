//! Nested routers: routes under a prefix (parameters of the prefix
//! included), their middleware only around their own routes.

mod util;

use std::cell::RefCell;
use std::rc::Rc;

use silly::net::http::{self, Router};
use util::router::{get, send};

#[test]
fn nested_routes_params_and_middleware() {
    silly::run(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let (outer_log, inner_log) = (log.clone(), log.clone());
        let messages = Router::new()
            .get("/", |s| {
                let body = format!("room {} index", s.param("room").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .get("/messages/:id", |s| {
                let body = format!(
                    "room {} message {}",
                    s.param("room").unwrap(),
                    s.param("id").unwrap()
                );
                s.close(body.as_bytes()).unwrap();
            })
            .post("/messages", |s| s.reply(201, &[], b"posted").unwrap())
            .layer(move |s, next| {
                inner_log.borrow_mut().push(format!("inner {}", s.path()));
                next.run(s);
            });
        let api = Router::new().nest("/rooms/:room", messages);
        let router = Router::new()
            .get("/health", |s| s.close(b"up").unwrap())
            .nest("/api", api)
            .layer(move |s, next| {
                outer_log.borrow_mut().push(format!("outer {}", s.path()));
                next.run(s);
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        assert_eq!(get(addr, "/api/rooms/lobby").body, "room lobby index");
        assert_eq!(
            get(addr, "/api/rooms/lobby/messages/42").body,
            "room lobby message 42"
        );
        assert_eq!(
            log.borrow_mut().drain(..).collect::<Vec<_>>(),
            [
                "outer /api/rooms/lobby",
                "inner /api/rooms/lobby",
                "outer /api/rooms/lobby/messages/42",
                "inner /api/rooms/lobby/messages/42",
            ]
        );

        assert_eq!(get(addr, "/health").body, "up");
        assert_eq!(get(addr, "/api/rooms/lobby/").status, 404);
        assert_eq!(get(addr, "/api").status, 404);
        let wrong = send(addr, "GET", "/api/rooms/x/messages", "");
        assert_eq!((wrong.status, wrong.header("allow")), (405, Some("POST")));
        assert_eq!(
            log.borrow_mut().drain(..).collect::<Vec<_>>(),
            [
                "outer /health",
                "outer /api/rooms/lobby/",
                "outer /api",
                "outer /api/rooms/x/messages",
            ],
            "the inner middleware sees only its routes"
        );
        server.close();
    });
}
