//! ServeDir answers GET and HEAD for the files under its root: the bytes,
//! the Content-Type from the extension, index files, the trailing-slash
//! redirect, 404 for what is not there, 405 with Allow for other methods.
//! Driven by curl.

mod util;

use silly::net::http::{self, ServeDir};
use util::curl::fetch;
use util::files::TempDir;

/// A server with `dir` mounted under `/static/` and a plain route beside it.
fn server(dir: ServeDir) -> http::Server {
    http::listen("127.0.0.1:0", move |s| {
        if let Some(rest) = s.path().strip_prefix("/static") {
            let rest = rest.to_owned();
            dir.serve(s, &rest).unwrap();
        } else {
            s.reply(200, &[], b"not a file").unwrap();
        }
    })
    .unwrap()
}

#[test]
fn get_head_types_index_redirect_and_errors() {
    let root = TempDir::new("files-serve");
    root.write("index.html", "<h1>home</h1>");
    root.write("app.js", "console.log(1)");
    root.write("style.CSS", "body{}");
    root.write("notes.txt", "plain");
    root.write("data.bin", [0u8, 1, 2, 255]);
    root.write("docs/index.html", "<h1>docs</h1>");
    root.mkdir("empty");
    root.write("with space.txt", "spaced");
    silly::run(move || {
        let server = server(ServeDir::new(root.path()).unwrap());
        let base = format!("http://{}", server.local_addr());

        for (path, ty, body) in [
            (
                "/static/app.js",
                "text/javascript; charset=utf-8",
                &b"console.log(1)"[..],
            ),
            ("/static/style.CSS", "text/css; charset=utf-8", b"body{}"),
            ("/static/notes.txt", "text/plain; charset=utf-8", b"plain"),
            (
                "/static/data.bin",
                "application/octet-stream",
                &[0, 1, 2, 255],
            ),
            (
                "/static/with%20space.txt",
                "text/plain; charset=utf-8",
                b"spaced",
            ),
            ("/static/", "text/html; charset=utf-8", b"<h1>home</h1>"),
            (
                "/static/docs/",
                "text/html; charset=utf-8",
                b"<h1>docs</h1>",
            ),
        ] {
            let r = fetch(&[&format!("{base}{path}")]);
            assert_eq!(r.status, 200, "{path}: {}", r.head);
            assert_eq!(r.header("content-type"), Some(ty), "{path}");
            assert_eq!(r.body, body, "{path}");
            assert_eq!(r.header("content-length"), Some(&*body.len().to_string()));
            assert_eq!(r.header("accept-ranges"), Some("bytes"));
            assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
            assert!(r.header("etag").is_some_and(|t| t.starts_with('"')));
            assert!(r
                .header("last-modified")
                .is_some_and(|d| d.ends_with(" GMT")));
        }

        // HEAD: the same head as GET, no body.
        let get = fetch(&[&format!("{base}/static/notes.txt")]);
        let head = fetch(&["-I", &format!("{base}/static/notes.txt")]);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        for name in ["content-type", "content-length", "etag", "last-modified"] {
            assert_eq!(head.header(name), get.header(name), "{name}");
        }

        // A directory without its slash is redirected to it, query kept.
        let r = fetch(&[&format!("{base}/static/docs?x=1")]);
        assert_eq!(r.status, 301);
        assert_eq!(r.header("location"), Some("/static/docs/?x=1"));
        let followed = fetch(&["--location", &format!("{base}/static/docs")]);
        assert!(followed.text().ends_with("<h1>docs</h1>"));

        // Missing files and a directory without index: 404.
        for path in [
            "/static/missing.txt",
            "/static/empty/",
            "/static/empty",
            "/static/notes.txt/x",
        ] {
            assert_eq!(fetch(&[&format!("{base}{path}")]).status, 404, "{path}");
        }

        // Other methods: 405 with Allow.
        for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
            let r = fetch(&["-X", method, &format!("{base}/static/notes.txt")]);
            assert_eq!(r.status, 405, "{method}");
            assert_eq!(r.header("allow"), Some("GET, HEAD"));
        }

        // Many requests on one keep-alive connection (curl reuses it).
        let urls: Vec<String> = (0..5).map(|_| format!("{base}/static/notes.txt")).collect();
        let mut args: Vec<&str> = vec!["--no-include"];
        args.extend(urls.iter().map(String::as_str));
        let out = util::curl::output(&args);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "plain".repeat(5));
        server.close();
    });
}

#[test]
fn serve_path_uses_the_whole_path() {
    let root = TempDir::new("files-serve-path");
    root.write("a/b.txt", "deep");
    silly::run(move || {
        let dir = ServeDir::new(root.path()).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| dir.serve_path(s).unwrap()).unwrap();
        let base = format!("http://{}", server.local_addr());
        let r = fetch(&[&format!("{base}/a/b.txt?cache=bust")]);
        assert_eq!((r.status, r.text().as_str()), (200, "deep"));
        assert_eq!(fetch(&[&format!("{base}/b.txt")]).status, 404);
        server.close();
    });
}
