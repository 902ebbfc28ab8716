//! ServeDir's validators: every file carries a strong ETag and
//! Last-Modified; If-None-Match with the tag (or `*`), or If-Modified-Since
//! not before the file's time, gets 304 with no body; a changed file gets a
//! new tag and 200. Driven by curl (`-H`, `-z`).

mod util;

use std::time::{Duration, UNIX_EPOCH};

use silly::net::http::{self, ServeDir, ServeDirConfig};
use util::curl::fetch;
use util::files::TempDir;

/// Sun, 06 Nov 1994 08:49:37 GMT.
const MTIME: u64 = 784_111_777;

fn set_mtime(path: &std::path::Path, secs: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn etag_and_dates_give_304() {
    let root = TempDir::new("files-conditional");
    let page = root.write("page.html", "<p>v1</p>");
    set_mtime(&page, MTIME);
    silly::run(move || {
        let config = ServeDirConfig::default().max_age(Some(Duration::from_secs(600)));
        let dir = ServeDir::new_with(root.path(), config).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| dir.serve_path(s).unwrap()).unwrap();
        let url = format!("http://{}/page.html", server.local_addr());

        let first = fetch(&[&url]);
        assert_eq!(first.status, 200);
        assert_eq!(
            first.header("last-modified"),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        assert_eq!(first.header("cache-control"), Some("public, max-age=600"));
        let etag = first.header("etag").unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

        for if_none_match in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".into(),
        ] {
            let r = fetch(&["-H", &format!("If-None-Match: {if_none_match}"), &url]);
            assert_eq!(r.status, 304, "{if_none_match}");
            assert!(r.body.is_empty());
            assert_eq!(r.header("etag"), Some(&*etag));
            assert_eq!(r.header("cache-control"), Some("public, max-age=600"));
            assert_eq!(r.header("content-type"), None);
        }
        let r = fetch(&["-H", "If-None-Match: \"other\"", &url]);
        assert_eq!((r.status, r.text().as_str()), (200, "<p>v1</p>"));

        // curl -z DATE sends If-Modified-Since.
        let r = fetch(&["-z", "Sun, 06 Nov 1994 08:49:37 GMT", &url]);
        assert_eq!(r.status, 304);
        let r = fetch(&["-z", "Mon, 07 Nov 1994 00:00:00 GMT", &url]);
        assert_eq!(r.status, 304);
        let r = fetch(&["-z", "Sat, 05 Nov 1994 00:00:00 GMT", &url]);
        assert_eq!((r.status, r.text().as_str()), (200, "<p>v1</p>"));
        // If-None-Match decides when both are sent (RFC 9110, 13.2.2).
        let r = fetch(&[
            "-H",
            "If-None-Match: \"other\"",
            "-z",
            "Mon, 07 Nov 1994 00:00:00 GMT",
            &url,
        ]);
        assert_eq!(r.status, 200);

        // A new version: new tag, new date; the old validators get 200.
        std::fs::write(&page, "<p>version 2</p>").unwrap();
        set_mtime(&page, MTIME + 86_400);
        let r = fetch(&["-H", &format!("If-None-Match: {etag}"), &url]);
        assert_eq!((r.status, r.text().as_str()), (200, "<p>version 2</p>"));
        assert_ne!(r.header("etag"), Some(&*etag));
        assert_eq!(
            r.header("last-modified"),
            Some("Mon, 07 Nov 1994 08:49:37 GMT")
        );
        let r = fetch(&["-z", "Sun, 06 Nov 1994 08:49:37 GMT", &url]);
        assert_eq!(r.status, 200);
        server.close();
    });
}
