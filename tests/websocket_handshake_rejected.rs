//! A client whose handshake the server refuses (any answer but 101) gets
//! `Error::Rejected` with the status, the headers and the body as the server
//! sent them (the body's first 64 KiB), and a `Display` of one short line.

mod util;

use silly::net::http;
use silly::net::websocket::{self, Error, MAX_REJECTION_BODY_BYTES};

#[test]
fn a_refusal_carries_status_headers_and_body() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", |stream| {
            let body = if stream.path() == "/large" {
                vec![b'z'; 200 * 1024]
            } else {
                b"banned: too many reconnects".to_vec()
            };
            let _ = stream.reply(
                403,
                &[("X-Reason", "rate"), ("Content-Type", "text/plain")],
                &body,
            );
        })
        .unwrap();
        let addr = server.local_addr();

        let err = websocket::connect(&format!("ws://{addr}/chat"), &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "websocket handshake: the server answered 403, not 101 Switching Protocols"
        );
        assert!(!err.is_timeout());
        let Error::Rejected(answer) = err else {
            panic!("{err:?}")
        };
        assert_eq!(answer.status, 403);
        assert_eq!(answer.headers.get("x-reason"), Some("rate"));
        assert_eq!(answer.headers.get("content-type"), Some("text/plain"));
        assert_eq!(answer.body, b"banned: too many reconnects");

        // A body larger than the bound: its start, the status kept.
        let err = websocket::connect(&format!("ws://{addr}/large"), &[]).unwrap_err();
        let Error::Rejected(answer) = err else {
            panic!("{err:?}")
        };
        assert_eq!(answer.status, 403);
        assert_eq!(answer.body.len(), MAX_REJECTION_BODY_BYTES);
        assert!(answer.body.iter().all(|&b| b == b'z'));
        server.close();
    });
}
