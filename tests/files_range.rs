//! ServeDir's range requests: one byte range gets 206 with Content-Range
//! and exactly those bytes, a range past the end 416 with
//! `Content-Range: bytes */len`, several ranges or an If-Range naming
//! another version the whole file (200). Driven by curl `--range`.

mod util;

use silly::net::http::{self, ServeDir};
use util::curl::fetch;
use util::files::TempDir;

#[test]
fn single_ranges_unsatisfiable_and_whole() {
    let content: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let root = TempDir::new("files-range");
    root.write("data.bin", &content);
    root.write("empty.txt", "");
    silly::run(move || {
        let dir = ServeDir::new(root.path()).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| dir.serve_path(s).unwrap()).unwrap();
        let url = format!("http://{}/data.bin", server.local_addr());

        for (range, start, end) in [
            ("0-99", 0, 99),
            ("900-", 900, 999),
            ("-100", 900, 999),
            ("990-5000", 990, 999),
            ("0-0", 0, 0),
            ("-5000", 0, 999),
        ] {
            let r = fetch(&["--range", range, &url]);
            assert_eq!(r.status, 206, "{range}: {}", r.head);
            assert_eq!(
                r.header("content-range"),
                Some(&*format!("bytes {start}-{end}/1000")),
                "{range}"
            );
            assert_eq!(
                r.header("content-length"),
                Some(&*(end - start + 1).to_string())
            );
            assert_eq!(r.body, &content[start..=end], "{range}");
        }

        for range in ["1000-", "5000-6000"] {
            let r = fetch(&["--range", range, &url]);
            assert_eq!(r.status, 416, "{range}");
            assert_eq!(r.header("content-range"), Some("bytes */1000"));
            assert!(r.body.is_empty());
        }
        let r = fetch(&[
            "--range",
            "0-",
            &format!("http://{}/empty.txt", server.local_addr()),
        ]);
        assert_eq!(r.status, 416);
        assert_eq!(r.header("content-range"), Some("bytes */0"));

        // Several ranges: the whole file, as allowed, not multipart.
        let r = fetch(&["--range", "0-9,20-29", &url]);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, content);
        // Another unit, a malformed range: ignored.
        for header in ["Range: items=0-9", "Range: bytes=9-1", "Range: bytes=x-"] {
            let r = fetch(&["-H", header, &url]);
            assert_eq!(r.status, 200, "{header}");
            assert_eq!(r.body.len(), 1000);
        }

        // If-Range: the current tag or date honours the range, another does not.
        let etag = fetch(&[&url]).header("etag").unwrap().to_owned();
        let date = fetch(&[&url]).header("last-modified").unwrap().to_owned();
        for (if_range, status) in [
            (etag.as_str(), 206),
            (date.as_str(), 206),
            ("\"old-version\"", 200),
            ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
        ] {
            let r = fetch(&[
                "--range",
                "10-19",
                "-H",
                &format!("If-Range: {if_range}"),
                &url,
            ]);
            assert_eq!(r.status, status, "If-Range: {if_range}");
        }

        // HEAD ignores Range.
        let r = fetch(&["-I", "--range", "0-9", &url]);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-length"), Some("1000"));
        server.close();
    });
}
