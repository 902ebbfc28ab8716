//! Hostile paths never panic the router: NUL and bad escapes, very long
//! paths with many segments, empty segments; each gets a plain answer and
//! the server goes on.

mod util;

use silly::net::http::{self, Config, Limits, Router};
use util::router::{connect, exchange, get};

#[test]
fn odd_paths_get_plain_answers() {
    silly::run(|| {
        let router = Router::new()
            .get("/", |s| s.close(b"root").unwrap())
            .get("/f/:name", |s| {
                let body = format!("{:?}", s.param("name").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .get("/a/:x/b/*rest", |s| {
                let body = format!("{}", s.param("rest").unwrap().len());
                s.close(body.as_bytes()).unwrap();
            });
        let limits = Limits::default().max_header_bytes(1 << 20);
        let config = Config::default().limits(limits);
        let server = http::listen_with("127.0.0.1:0", config, router.into_handler()).unwrap();
        let addr = server.local_addr();

        assert_eq!(get(addr, "/f/%00").body, "\"\\0\"");
        assert_eq!(get(addr, "/f/a%00b").body, "\"a\\0b\"");
        assert_eq!(
            get(addr, "/f/%zz%4").body,
            "\"%zz%4\"",
            "bad escapes stay as sent"
        );
        let not_utf8 = get(addr, "/f/%FF%FE");
        assert_eq!(not_utf8.status, 400);
        assert!(not_utf8.body.contains("UTF-8"), "{}", not_utf8.body);
        // Raw bytes that are not UTF-8 in the path: refused (by the
        // server's parser or the router), never a panic.
        let raw = util::raw_exchange(
            addr,
            b"GET /f/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(util::status_of(&raw), 400, "{raw}");
        assert_eq!(get(addr, "//").status, 404);
        assert_eq!(get(addr, "/f/").status, 404);
        assert_eq!(get(addr, "/f//").status, 404);
        assert_eq!(get(addr, "//f/x").status, 404);

        // 300 KiB of path: 100,000 segments, a match deep in a wildcard and
        // a miss; neither recurses per segment.
        let deep = format!("/a/1/b/{}", "x/".repeat(100_000));
        assert_eq!(
            get(addr, &deep).body,
            (deep.len() - "/a/1/b/".len()).to_string()
        );
        let miss = "/q".repeat(100_000);
        assert_eq!(get(addr, &miss).status, 404);
        let slashes = "/".repeat(100_000);
        assert_eq!(get(addr, &slashes).status, 404);

        // And on one connection, after all that, routing still works.
        let conn = connect(addr);
        assert_eq!(exchange(&conn, "GET", "/f/%FF").status, 400);
        assert_eq!(exchange(&conn, "GET", "/f/ok").body, "\"ok\"");
        assert_eq!(exchange(&conn, "GET", "/").body, "root");
        server.close();
    });
}
