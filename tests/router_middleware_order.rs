//! Several middleware run in the order added (the first outermost), around
//! the handler and around the router's own answers.

mod util;

use std::cell::RefCell;
use std::rc::Rc;

use silly::net::http::{self, Next, Router, Stream};
use util::router::get;

/// A middleware that records `name>` before the rest of the chain and
/// `<name` after it.
fn recorder(log: &Rc<RefCell<Vec<String>>>, name: &'static str) -> impl Fn(&mut Stream, Next<'_>) {
    let log = log.clone();
    move |s, next| {
        log.borrow_mut().push(format!("{name}>"));
        next.run(s);
        log.borrow_mut().push(format!("<{name}"));
    }
}

#[test]
fn first_added_is_outermost() {
    silly::run(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let handler_log = log.clone();
        let router = Router::new()
            .layer(recorder(&log, "a"))
            .get("/", move |s| {
                handler_log.borrow_mut().push("handler".into());
                s.close(b"ok").unwrap();
            })
            .layer(recorder(&log, "b"))
            .layer(recorder(&log, "c"));
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        assert_eq!(get(addr, "/").body, "ok");
        assert_eq!(
            log.borrow().join(" "),
            "a> b> c> handler <c <b <a",
            "layers added before and after the route wrap it alike"
        );

        log.borrow_mut().clear();
        assert_eq!(get(addr, "/missing").status, 404);
        assert_eq!(log.borrow().join(" "), "a> b> c> <c <b <a", "404 too");
        server.close();
    });
}
