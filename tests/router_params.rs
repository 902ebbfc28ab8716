//! Path parameters and the wildcard tail reach the handler, percent-decoded.

mod util;

use silly::net::http::{self, Router};
use util::router::get;

/// Answers with every parameter, `name=value;`.
fn echo_params(s: &mut http::Stream) {
    let text: String = s.params().map(|(n, v)| format!("{n}={v};")).collect();
    s.reply(200, &[], text.as_bytes()).unwrap();
}

#[test]
fn params_and_wildcard_values() {
    silly::run(|| {
        let router = Router::new()
            .get("/rooms/:room/users/:user", echo_params)
            .get("/static/*path", echo_params)
            .get("/one/:id", |s| {
                let body = format!("{:?} {:?}", s.param("id"), s.param("other"));
                s.reply(200, &[], body.as_bytes()).unwrap();
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        assert_eq!(
            get(addr, "/rooms/lobby/users/ann").body,
            "room=lobby;user=ann;"
        );
        // The query is not part of the path.
        assert_eq!(get(addr, "/rooms/7/users/8?x=/y").body, "room=7;user=8;");
        // Decoded: %20 a space, %2F a slash kept inside its segment.
        assert_eq!(
            get(addr, "/rooms/a%20b/users/c%2Fd").body,
            "room=a b;user=c/d;"
        );
        assert_eq!(get(addr, "/static/css/site.css").body, "path=css/site.css;");
        assert_eq!(get(addr, "/static/").body, "path=;");
        assert_eq!(get(addr, "/static").status, 404);
        assert_eq!(get(addr, "/one/5").body, "Some(\"5\") None");
        server.close();
    });
}
