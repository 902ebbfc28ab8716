//! A path with routes but none for the method: 405 with `Allow`; HEAD is
//! served by the GET route, without a body.

mod util;

use silly::net::http::{self, Router};
use util::router::{connect, exchange, send};

#[test]
fn wrong_method_is_405_with_allow() {
    silly::run(|| {
        let router = Router::new()
            .get("/items/:id", |s| s.close(b"item").unwrap())
            .put("/items/:id", |s| s.close(b"put").unwrap())
            .delete("/items/:id", |s| s.close(b"deleted").unwrap())
            .post("/items", |s| s.close(b"created").unwrap())
            .any("/anything", |s| {
                let body = s.method().to_owned();
                s.close(body.as_bytes()).unwrap()
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        let reply = send(addr, "POST", "/items/1", "Content-Length: 0\r\n");
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("allow"), Some("GET, HEAD, PUT, DELETE"));
        let reply = send(addr, "GET", "/items", "");
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("allow"), Some("POST"));
        assert_eq!(send(addr, "DELETE", "/items/1", "").body, "deleted");
        assert_eq!(send(addr, "PATCH", "/anything", "").body, "PATCH");
        assert_eq!(send(addr, "BREW", "/anything", "").body, "BREW");
        server.close();
    });
}

#[test]
fn head_is_served_by_get_without_body() {
    silly::run(|| {
        let router = Router::new().get("/page", |s| {
            let method = s.method().to_owned();
            s.reply(200, &[("X-Method", &method)], b"twelve bytes")
                .unwrap();
        });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        // On one connection: if HEAD's body were sent, the next response
        // would be read from the middle of it.
        let conn = connect(server.local_addr());
        let head = exchange(&conn, "HEAD", "/page");
        assert_eq!(head.status, 200);
        assert_eq!(head.header("x-method"), Some("HEAD"));
        assert_eq!(head.header("content-length"), Some("12"));
        let get = exchange(&conn, "GET", "/page");
        assert_eq!((get.status, get.body.as_str()), (200, "twelve bytes"));
        server.close();
    });
}
