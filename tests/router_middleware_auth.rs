//! A middleware that does not call `next` answers early: the handler does
//! not run.

mod util;

use std::cell::Cell;
use std::rc::Rc;

use silly::net::http::{self, Router};
use util::router::{get, send};

#[test]
fn missing_token_is_401_and_handler_not_run() {
    silly::run(|| {
        let runs = Rc::new(Cell::new(0));
        let counted = runs.clone();
        let router = Router::new()
            .get("/secret/:id", move |s| {
                counted.set(counted.get() + 1);
                let body = format!("secret {}", s.param("id").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .layer(|s, next| {
                // Parameters are matched before middleware runs.
                assert!(s.param("id").is_some());
                if s.header("authorization") != Some("Bearer letmein") {
                    s.reply(401, &[("WWW-Authenticate", "Bearer")], b"who are you?")
                        .unwrap();
                    return;
                }
                next.run(s);
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        let refused = get(addr, "/secret/1");
        assert_eq!(refused.status, 401);
        assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
        assert_eq!(refused.body, "who are you?");
        let wrong = send(addr, "GET", "/secret/1", "Authorization: Bearer guess\r\n");
        assert_eq!(wrong.status, 401);
        assert_eq!(runs.get(), 0, "the handler never ran");

        let ok = send(
            addr,
            "GET",
            "/secret/2",
            "Authorization: Bearer letmein\r\n",
        );
        assert_eq!((ok.status, ok.body.as_str()), (200, "secret 2"));
        assert_eq!(runs.get(), 1);
        server.close();
    });
}
