use std::path::PathBuf;

use super::conditional::Validators;
use super::content_type;
use super::range::{parse, Ranged};
use super::resolve::relative;
use crate::http::Headers;

#[test]
fn relative_paths_stay_inside() {
    let ok = |raw: &str| relative(raw, false);
    assert_eq!(ok("/a/b.txt"), Some(PathBuf::from("a/b.txt")));
    assert_eq!(ok("a//./b.txt"), Some(PathBuf::from("a/b.txt")));
    assert_eq!(ok("/"), Some(PathBuf::new()));
    assert_eq!(
        ok("/with%20space.txt"),
        Some(PathBuf::from("with space.txt"))
    );
    for refused in [
        "/../etc/passwd",
        "/a/../../etc/passwd",
        "/a/..",
        "/%2e%2e/etc/passwd",
        "/%2E%2e/etc/passwd",
        "/.%2e/x",
        "/a%2f..%2f..%2fetc/passwd",
        "/a%2fb",
        "/a%5c..%5cb",
        "/a\\..\\b",
        "/a%00.txt",
        "/.env",
        "/.git/config",
        "/%2egit/config",
        "/bad-utf8-%ff",
    ] {
        assert_eq!(ok(refused), None, "{refused}");
    }
    assert_eq!(
        relative("/.well-known/x", true),
        Some(PathBuf::from(".well-known/x"))
    );
    assert_eq!(relative("/../x", true), None, "dotfiles never allow ..");
}

#[test]
fn content_types_by_extension() {
    assert_eq!(
        content_type::for_name("index.html"),
        "text/html; charset=utf-8"
    );
    assert_eq!(
        content_type::for_name("APP.JS"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(content_type::for_name("a.b.png"), "image/png");
    assert_eq!(content_type::for_name("module.wasm"), "application/wasm");
    assert_eq!(content_type::for_name("README"), content_type::DEFAULT);
    assert_eq!(content_type::for_name(".html"), content_type::DEFAULT);
    assert_eq!(content_type::for_name("x.unknown"), content_type::DEFAULT);
}

#[test]
fn ranges() {
    let part = |start, end| Ranged::Part { start, end };
    assert_eq!(parse("bytes=0-99", 1000), part(0, 99));
    assert_eq!(parse("bytes=0-0", 1), part(0, 0));
    assert_eq!(parse("bytes=900-", 1000), part(900, 999));
    assert_eq!(parse("bytes=900-5000", 1000), part(900, 999));
    assert_eq!(parse("bytes=-100", 1000), part(900, 999));
    assert_eq!(parse("bytes=-5000", 1000), part(0, 999));
    assert_eq!(parse("Bytes = 1-2 ", 10), part(1, 2));
    assert_eq!(parse("bytes=1000-", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=1000-2000", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=-0", 1000), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=0-", 0), Ranged::Unsatisfiable);
    assert_eq!(parse("bytes=-1", 0), Ranged::Unsatisfiable);
    for whole in [
        "bytes=0-1,5-6",
        "items=0-1",
        "bytes=5-1",
        "bytes=a-b",
        "bytes=-",
        "bytes=",
        "bytes=+1-2",
        "0-1",
        "bytes=99999999999999999999999-",
    ] {
        assert_eq!(parse(whole, 1000), Ranged::Whole, "{whole}");
    }
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    let mut h = Headers::new();
    for (n, v) in pairs {
        h.append(n, v);
    }
    h
}

#[test]
fn conditionals() {
    let v = Validators {
        etag: "\"a-b-c\"".to_owned(),
        modified: Some(784_111_777), // Sun, 06 Nov 1994 08:49:37 GMT
    };
    assert_eq!(
        v.last_modified().as_deref(),
        Some("Sun, 06 Nov 1994 08:49:37 GMT")
    );
    let nm = |pairs: &[(&str, &str)]| v.not_modified(&headers(pairs));
    assert!(!nm(&[]));
    assert!(nm(&[("If-None-Match", "\"a-b-c\"")]));
    assert!(nm(&[("If-None-Match", "W/\"a-b-c\"")]), "weak comparison");
    assert!(nm(&[("If-None-Match", "\"x\", \"a-b-c\"")]));
    assert!(nm(&[("If-None-Match", "*")]));
    assert!(!nm(&[("If-None-Match", "\"x\"")]));
    assert!(nm(&[(
        "If-Modified-Since",
        "Sun, 06 Nov 1994 08:49:37 GMT"
    )]));
    assert!(nm(&[(
        "If-Modified-Since",
        "Sunday, 06-Nov-94 08:49:38 GMT"
    )]));
    assert!(nm(&[("If-Modified-Since", "Sun Nov  6 08:49:37 1994")]));
    assert!(!nm(&[(
        "If-Modified-Since",
        "Sun, 06 Nov 1994 08:49:36 GMT"
    )]));
    assert!(!nm(&[("If-Modified-Since", "yesterday")]));
    assert!(
        !nm(&[
            ("If-None-Match", "\"x\""),
            ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ]),
        "If-None-Match wins over If-Modified-Since"
    );

    let ra = |pairs: &[(&str, &str)]| v.range_applies(&headers(pairs));
    assert!(ra(&[]));
    assert!(ra(&[("If-Range", "\"a-b-c\"")]));
    assert!(!ra(&[("If-Range", "W/\"a-b-c\"")]), "strong comparison");
    assert!(!ra(&[("If-Range", "\"old\"")]));
    assert!(ra(&[("If-Range", "Sun, 06 Nov 1994 08:49:37 GMT")]));
    assert!(!ra(&[("If-Range", "Sun, 06 Nov 1994 08:49:38 GMT")]));
}
