//! `Stream::add_response_header` queues headers for the response the handler
//! (or code after it) makes: they follow the response's own headers in
//! respond, reply and close; framing headers and bad bytes are refused; they
//! go with that response only, never with the next request's or with the
//! server's own 500.

mod util;

use silly::net::http::{self, Error};

#[test]
fn queued_headers_join_the_next_response_only() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |s| {
            let path = s.path().to_owned();
            match path.as_str() {
                "/reply" => {
                    s.add_response_header("X-One", "1").unwrap();
                    s.add_response_header("X-Two", "2").unwrap();
                    s.reply(200, &[("Content-Type", "text/plain")], b"body")
                        .unwrap();
                }
                "/respond" => {
                    s.add_response_header("X-Streamed", "yes").unwrap();
                    s.respond(200, &[]).unwrap();
                    s.write(b"chunk").unwrap();
                    s.close(b"").unwrap();
                }
                "/close" => {
                    s.add_response_header("X-Closed", "yes").unwrap();
                    s.close(b"closed").unwrap();
                }
                "/refused" => {
                    let mut refused = Vec::new();
                    for (name, value) in [
                        ("Content-Length", "5"),
                        ("transfer-encoding", "chunked"),
                        ("Connection", "close"),
                        ("Date", "today"),
                        ("Bad Name", "x"),
                        ("X-Injected", "a\r\nSet-Cookie: evil=1"),
                    ] {
                        refused.push(matches!(
                            s.add_response_header(name, value),
                            Err(Error::InvalidHeader(_))
                        ));
                    }
                    s.reply(200, &[], format!("{refused:?}").as_bytes())
                        .unwrap();
                    let late = s.add_response_header("X-Late", "1");
                    assert!(matches!(late, Err(Error::AlreadyResponded)), "{late:?}");
                }
                "/same" => s
                    .reply(200, &[("Content-Type", "text/plain")], b"body")
                    .unwrap(),
                // Queues, then ends without a response: the server's 500.
                "/forgotten" => s.add_response_header("X-Forgotten", "1").unwrap(),
                _ => s.reply(200, &[], b"plain").unwrap(),
            }
        })
        .unwrap();
        let addr = server.local_addr();
        let get = |path: &str| {
            util::raw_exchange(
                addr,
                format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
            )
        };

        let reply = get("/reply");
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        let at = |line: &str| {
            head.find(line)
                .unwrap_or_else(|| panic!("{line} in {head}"))
        };
        assert!(
            at("Content-Type: text/plain\r\n") < at("X-One: 1\r\nX-Two: 2"),
            "in order, after the response's own: {head}"
        );
        assert_eq!(body, "body");
        let reply = get("/respond");
        assert!(
            reply.contains("X-Streamed: yes\r\n") && reply.contains("chunk"),
            "{reply}"
        );
        let reply = get("/close");
        assert!(
            reply.contains("X-Closed: yes\r\n") && reply.ends_with("closed"),
            "{reply}"
        );
        let reply = get("/refused");
        assert!(
            reply.ends_with("[true, true, true, true, true, true]"),
            "{reply}"
        );
        assert!(
            !reply.contains("evil") && !reply.contains("X-Late"),
            "{reply}"
        );

        let reply = get("/forgotten");
        assert_eq!(util::status_of(&reply), 500);
        assert!(!reply.contains("X-Forgotten"), "{reply}");

        // Keep-alive: what one request queued is not sent with the next one.
        let reply = util::raw_exchange(
            addr,
            b"GET /reply HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert_eq!(reply.matches("X-One").count(), 1, "{reply}");
        assert!(reply.ends_with("plain"), "{reply}");
        // The same response without queued headers right after one with
        // them (the server may reuse the last head's bytes): none of them.
        let reply = util::raw_exchange(
            addr,
            b"GET /reply HTTP/1.1\r\nHost: x\r\n\r\nGET /same HTTP/1.1\r\nHost: x\r\n\r\n\
              GET /same HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert_eq!(reply.matches("X-One").count(), 1, "{reply}");
        assert_eq!(reply.matches("HTTP/1.1 200").count(), 3, "{reply}");
        assert!(reply.ends_with("\r\n\r\nbody"), "{reply}");
        server.close();
    });
}
