//! Requests on one keep-alive connection each get their own route and
//! parameters (the connection's parameter buffers are reused, never stale).

mod util;

use silly::net::http::{self, Router};
use util::router::{connect, exchange};

fn echo_params(s: &mut http::Stream) {
    let text: String = s.params().map(|(n, v)| format!("{n}={v};")).collect();
    s.reply(200, &[], text.as_bytes()).unwrap();
}

#[test]
fn two_routes_on_one_connection() {
    silly::run(|| {
        let router = Router::new()
            .get("/a/:x/:y", echo_params)
            .get("/b/:long_name", echo_params)
            .get("/plain", echo_params);
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let conn = connect(server.local_addr());
        assert_eq!(exchange(&conn, "GET", "/a/1/two").body, "x=1;y=two;");
        assert_eq!(
            exchange(&conn, "GET", "/b/%C3%A9t%C3%A9").body,
            "long_name=été;"
        );
        assert_eq!(exchange(&conn, "GET", "/plain").body, "");
        assert_eq!(exchange(&conn, "GET", "/nothing").status, 404);
        assert_eq!(exchange(&conn, "GET", "/a/3/4").body, "x=3;y=4;");
        assert_eq!(server.connections(), 1, "all on one connection");
        server.close();
    });
}
