//! No route: 404, or the fallback the router was given.

mod util;

use silly::net::http::{self, Router};
use util::router::{get, send};

#[test]
fn no_route_is_404() {
    silly::run(|| {
        let router = Router::new().get("/a", |s| s.close(b"a").unwrap());
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();
        let reply = get(addr, "/b");
        assert_eq!(reply.status, 404);
        assert_eq!(reply.body, "not found");
        assert_eq!(
            get(addr, "/a/").status,
            404,
            "a trailing slash is another path"
        );
        assert_eq!(send(addr, "OPTIONS", "*", "").status, 404);
        assert_eq!(get(addr, "/a").body, "a");
        server.close();
    });
}

#[test]
fn fallback_replaces_404() {
    silly::run(|| {
        let router = Router::new()
            .get("/a", |s| s.close(b"a").unwrap())
            .fallback(|s| {
                let body = format!("no page at {}", s.path());
                s.reply(404, &[("X-Fallback", "1")], body.as_bytes())
                    .unwrap();
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let reply = get(server.local_addr(), "/missing");
        assert_eq!(reply.status, 404);
        assert_eq!(reply.header("x-fallback"), Some("1"));
        assert_eq!(reply.body, "no page at /missing");
        server.close();
    });
}
