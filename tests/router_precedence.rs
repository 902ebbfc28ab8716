//! When several patterns match: literal before parameter before wildcard,
//! segment by segment, going back when a branch leads nowhere.

mod util;

use silly::net::http::{self, Router};
use util::router::get;

#[test]
fn literal_then_parameter_then_wildcard() {
    silly::run(|| {
        let router = Router::new()
            .get("/users/new", |s| s.close(b"literal").unwrap())
            .get("/users/:id", |s| {
                let body = format!("param {}", s.param("id").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .get("/users/:id/edit", |s| {
                let body = format!("edit {}", s.param("id").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .get("/users/*rest", |s| {
                let body = format!("wildcard {}", s.param("rest").unwrap());
                s.close(body.as_bytes()).unwrap();
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();
        assert_eq!(get(addr, "/users/new").body, "literal");
        assert_eq!(get(addr, "/users/7").body, "param 7");
        // The literal `new` leads to no `edit`: the parameter branch takes it.
        assert_eq!(get(addr, "/users/new/edit").body, "edit new");
        assert_eq!(get(addr, "/users/7/edit/x").body, "wildcard 7/edit/x");
        // No parameter takes an empty segment; the wildcard may be empty.
        assert_eq!(get(addr, "/users/").body, "wildcard ");
        server.close();
    });
}
