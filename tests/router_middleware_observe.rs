//! After `next.run`, a middleware sees the response's status and the body
//! bytes sent (`Stream::status`, `Stream::bytes_written`), and can time it.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use silly::net::http::{self, Router};
use silly::time;
use util::router::{get, send};

/// What the middleware saw: status before, status after, bytes, duration.
type Seen = (Option<u16>, Option<u16>, u64, Duration);

#[test]
fn status_bytes_and_duration_after_next() {
    silly::run(|| {
        let seen: Rc<RefCell<Vec<Seen>>> = Rc::new(RefCell::new(Vec::new()));
        let record = seen.clone();
        let router = Router::new()
            .get("/fixed", |s| s.reply(201, &[], b"0123456789").unwrap())
            .get("/chunked", |s| {
                s.respond(200, &[]).unwrap();
                s.write(b"abc").unwrap();
                s.write(b"").unwrap();
                s.write(b"defgh").unwrap();
            })
            .get("/slow", |s| {
                time::sleep(Duration::from_millis(50));
                s.close(b"late").unwrap();
            })
            .get("/silent", |_| {})
            .layer(move |s, next| {
                let before = s.status();
                let start = Instant::now();
                next.run(s);
                record
                    .borrow_mut()
                    .push((before, s.status(), s.bytes_written(), start.elapsed()));
            });
        let server = http::listen("127.0.0.1:0", router.into_handler()).unwrap();
        let addr = server.local_addr();

        assert_eq!(get(addr, "/fixed").body, "0123456789");
        assert_eq!(
            get(addr, "/chunked").body,
            "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"
        );
        assert_eq!(send(addr, "HEAD", "/fixed", "").status, 201);
        assert_eq!(get(addr, "/slow").body, "late");
        assert_eq!(get(addr, "/nowhere").status, 404);
        assert_eq!(
            send(addr, "PUT", "/fixed", "Content-Length: 0\r\n").status,
            405
        );
        // The handler answered nothing: the server's 500 comes after the chain.
        assert_eq!(get(addr, "/silent").status, 500);

        let seen = seen.borrow();
        let summary: Vec<_> = seen.iter().map(|&(b, a, n, _)| (b, a, n)).collect();
        assert_eq!(
            summary,
            [
                (None, Some(201), 10),
                (None, Some(200), 8),
                (None, Some(201), 0), // HEAD: the body is dropped, not sent
                (None, Some(200), 4),
                (None, Some(404), 9),
                (None, Some(405), 18),
                (None, None, 0),
            ]
        );
        assert!(seen[3].3 >= Duration::from_millis(50), "{:?}", seen[3].3);
        server.close();
    });
}
