use super::push_decimal;

#[test]
fn decimals_are_written_as_to_string_writes_them() {
    let samples = (0..=100_000u64).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]);
    for n in samples {
        let mut out = b"x".to_vec();
        push_decimal(&mut out, n);
        assert_eq!(&out[1..], n.to_string().as_bytes());
    }
}

use super::{write_head, Head, HeadInputs, Sending};
use crate::http::error::Error;
use crate::http::head::Version;

fn inputs<'a>(status: u16, headers: &'a [(&'a str, &'a str)]) -> HeadInputs<'a> {
    HeadInputs {
        status,
        headers,
        length: Some(13),
        keep_alive: true,
        head_only: false,
        version: Version::Http11,
    }
}

fn written(inputs: &HeadInputs<'_>) -> Result<(Head, String), Error> {
    let mut out = b"before".to_vec();
    let head = write_head(inputs, &mut out)?;
    Ok((head, String::from_utf8(out[6..].to_vec()).unwrap()))
}

/// The head without its Date line, which is checked on its own.
fn without_date(head: &str) -> String {
    head.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("Date: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_same_head_again_is_the_same_bytes() {
    silly_runtime::run(|| {
        let a = inputs(200, &[("Content-Type", "text/plain")]);
        let (head, first) = written(&a).unwrap();
        assert_eq!(head.sending, Sending::Length(13));
        assert!(head.keep_alive);
        assert!(first.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"));
        assert!(first.contains("\r\nContent-Length: 13\r\nDate: "));
        assert!(first.ends_with(" GMT\r\n\r\n"));
        let (again, second) = written(&a).unwrap();
        assert_eq!((again, &second), (head, &first));
    });
}

#[test]
fn any_difference_is_written_anew() {
    silly_runtime::run(|| {
        let base = [("Content-Type", "text/plain")];
        let _ = written(&inputs(200, &base)).unwrap();
        let cases: Vec<(HeadInputs<'_>, &str)> = vec![
            (inputs(201, &base), "HTTP/1.1 201 Created\nContent-Type: text/plain\nContent-Length: 13"),
            (inputs(200, &[("Content-Type", "text/plaiN")]), "HTTP/1.1 200 OK\nContent-Type: text/plaiN\nContent-Length: 13"),
            (inputs(200, &[("Content-Typo", "text/plain")]), "HTTP/1.1 200 OK\nContent-Typo: text/plain\nContent-Length: 13"),
            (inputs(200, &[]), "HTTP/1.1 200 OK\nContent-Length: 13"),
            (HeadInputs { length: Some(14), ..inputs(200, &base) }, "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 14"),
            (HeadInputs { keep_alive: false, ..inputs(200, &base) }, "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 13\nConnection: close"),
            (HeadInputs { version: Version::Http10, ..inputs(200, &base) }, "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 13\nConnection: keep-alive"),
        ];
        for (case, expected) in cases {
            let (_, head) = written(&case).unwrap();
            assert_eq!(without_date(&head), expected);
            // And back: the first head again, not the one just kept.
            let (_, head) = written(&inputs(200, &base)).unwrap();
            assert_eq!(
                without_date(&head),
                "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 13"
            );
        }
        let (head, _) = written(&HeadInputs {
            head_only: true,
            ..inputs(200, &base)
        })
        .unwrap();
        assert_eq!(head.sending, Sending::NoBody);
    });
}

#[test]
fn a_bad_header_after_a_kept_head_is_still_refused() {
    silly_runtime::run(|| {
        let _ = written(&inputs(200, &[("A", "b"), ("C", "d")])).unwrap();
        // The same bytes on the wire as the kept head, split another way.
        let joined = [("A: b\r\nC", "d")];
        assert!(matches!(
            written(&inputs(200, &joined)),
            Err(Error::InvalidHeader(_))
        ));
        // Same lengths as the kept head, a CR inside.
        let _ = written(&inputs(200, &[("X", "abc")])).unwrap();
        let mut out = Vec::new();
        assert!(write_head(&inputs(200, &[("X", "a\rc")]), &mut out).is_err());
        assert!(out.is_empty(), "nothing is written on error");
    });
}

#[test]
fn the_handlers_own_framing_headers_decide() {
    silly_runtime::run(|| {
        let (head, text) = written(&inputs(200, &[("Connection", "close")])).unwrap();
        assert!(!head.keep_alive);
        assert!(!text.contains("Connection: close\r\nConnection"));
        let (head, text) = written(&inputs(200, &[("Content-Length", "5")])).unwrap();
        assert_eq!(head.sending, Sending::Length(5));
        assert_eq!(text.matches("Content-Length").count(), 1);
        let (_, text) = written(&inputs(200, &[("Date", "yesterday")])).unwrap();
        assert_eq!(text.matches("Date: ").count(), 1);
        let chunked = HeadInputs {
            length: None,
            ..inputs(200, &[])
        };
        let (head, text) = written(&chunked).unwrap();
        assert_eq!(head.sending, Sending::Chunked);
        assert!(text.contains("Transfer-Encoding: chunked\r\n"));
    });
}
