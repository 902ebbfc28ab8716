//! Feature `json`: `Stream::read_json` takes a JSON body into a serde type
//! and `reply_json` answers with one; `JsonError` says which status a bad
//! request gets (415 for a Content-Type that is not JSON, 400 for malformed
//! JSON or the wrong shape, 413 past the limit) and `respond` sends it.
//! Driven by curl and raw sockets.

mod util;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use silly::net::http::{self, Config, JsonError, Limits};
use util::curl::fetch;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Message {
    text: String,
    n: u32,
}

fn handler(s: &mut http::Stream) {
    let read = match s.path() {
        "/small" => s.read_json_limit::<Message>(64),
        "/bad-reply" => {
            let unserializable: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
            let err = s.reply_json(200, &unserializable).unwrap_err();
            assert!(matches!(err, JsonError::Serialize(_)), "{err:?}");
            assert_eq!(err.status(), 500);
            return err.respond(s).unwrap();
        }
        _ => s.read_json::<Message>(),
    };
    match read {
        Ok(message) => s.reply_json(200, &message).unwrap(),
        Err(err) => {
            let expected = match &err {
                JsonError::UnsupportedMediaType { .. } => 415,
                JsonError::Syntax(_) | JsonError::Shape(_) => 400,
                JsonError::TooLarge { .. } => 413,
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(err.status(), expected);
            assert!(!err.is_timeout());
            err.respond(s).unwrap();
        }
    }
}

/// POSTs `body` with `content_type` (None: no Content-Type) to `url`.
fn post(url: &str, content_type: Option<&str>, body: &str, extra: &[&str]) -> util::curl::Reply {
    let header = match content_type {
        Some(ty) => format!("Content-Type: {ty}"),
        None => "Content-Type:".to_owned(), // curl then sends none
    };
    let mut args = vec!["-H", &header, "--data-binary", body];
    args.extend_from_slice(extra);
    args.push(url);
    fetch(&args)
}

#[test]
fn json_in_json_out_and_each_error_status() {
    silly::run(|| {
        let config = Config::default().limits(Limits::default().max_body_bytes(1000));
        let server = http::listen_with("127.0.0.1:0", config, handler).unwrap();
        let base = format!("http://{}", server.local_addr());
        let echo = format!("{base}/echo");
        let good = r#"{"text":"hé \"quoted\"","n":7}"#;

        for ty in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/vnd.api+json",
        ] {
            let r = post(&echo, Some(ty), good, &[]);
            assert_eq!(r.status, 200, "{ty}: {}", r.text());
            assert_eq!(r.header("content-type"), Some("application/json"));
            let back: Message = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(
                back,
                Message {
                    text: "hé \"quoted\"".into(),
                    n: 7
                }
            );
        }

        for ty in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("json"),
            None,
        ] {
            let r = post(&echo, ty, good, &[]);
            assert_eq!(r.status, 415, "{ty:?}");
            assert!(
                r.text()
                    .starts_with("expected Content-Type application/json"),
                "{}",
                r.text()
            );
        }

        for (body, says) in [
            (r#"{"text":"#, "malformed JSON"),
            ("not json", "malformed JSON"),
            ("", "malformed JSON"),
            (r#"{"text":"a","n":1} trailing"#, "malformed JSON"),
            (r#"{"text":5,"n":1}"#, "unexpected JSON"),
            (r#"{"text":"a"}"#, "unexpected JSON"),
            (r#"{"text":"a","n":-1}"#, "unexpected JSON"),
        ] {
            let r = post(&echo, Some("application/json"), body, &[]);
            assert_eq!(r.status, 400, "{body}");
            assert!(r.text().starts_with(says), "{body}: {}", r.text());
        }

        // The handler's own limit: announced by Content-Length, or passed
        // while a chunked body arrives.
        let long = format!(r#"{{"text":"{}","n":1}}"#, "x".repeat(100));
        let r = post(
            &format!("{base}/small"),
            Some("application/json"),
            &long,
            &[],
        );
        assert_eq!(r.status, 413);
        assert!(
            r.text().starts_with("JSON body larger than 64 bytes"),
            "{}",
            r.text()
        );
        let r = post(
            &format!("{base}/small"),
            Some("application/json"),
            &long,
            &["-H", "Transfer-Encoding: chunked"],
        );
        assert_eq!(r.status, 413);
        let r = post(
            &format!("{base}/small"),
            Some("application/json"),
            good,
            &[],
        );
        assert_eq!(r.status, 200);

        // The server's max_body_bytes, for a chunked body (a Content-Length
        // past it is refused before the handler).
        let huge = format!(r#"{{"text":"{}","n":1}}"#, "x".repeat(2000));
        for extra in [&["-H", "Transfer-Encoding: chunked"][..], &[]] {
            let r = post(&echo, Some("application/json"), &huge, extra);
            assert_eq!(r.status, 413, "{extra:?}");
        }

        let r = fetch(&[&format!("{base}/bad-reply")]);
        assert_eq!(r.status, 500);
        assert!(r.text().starts_with("serializing JSON"), "{}", r.text());
        server.close();
    });
}

#[test]
fn a_400_keeps_the_connection_when_the_body_was_read() {
    silly::run(|| {
        let server = http::listen("127.0.0.1:0", handler).unwrap();
        let bad = "{oops";
        let good = r#"{"text":"a","n":2}"#;
        let request = format!(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{bad}\
             POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{good}",
            bad.len(),
            good.len()
        );
        let reply = util::raw_exchange(server.local_addr(), request.as_bytes());
        assert!(reply.starts_with("HTTP/1.1 400 "), "{reply}");
        assert!(reply.contains("HTTP/1.1 200 OK"), "{reply}");
        assert!(reply.ends_with(good), "{reply}");
        server.close();
    });
}
