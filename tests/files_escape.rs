//! No request reaches a file outside ServeDir's root: `..` plain or
//! percent-encoded, encoded slashes and backslashes, NUL, and symlinks that
//! resolve outside all get 404 (as a missing file), while a symlink that
//! stays inside is served. Driven by raw sockets (any bytes in the target)
//! and curl `--path-as-is`.

mod util;

use std::os::unix::fs::symlink;

use silly::net::http::{self, ServeDir};
use util::curl::fetch;
use util::files::TempDir;

const SECRET: &str = "the secret outside the root";

#[test]
fn nothing_outside_the_root_is_served() {
    let outer = TempDir::new("files-escape");
    outer.write("secret.txt", SECRET);
    outer.write("public/notes.txt", "public notes");
    outer.write("public/.env", SECRET);
    let public = outer.path().join("public");
    symlink(outer.path().join("secret.txt"), public.join("link-out.txt")).unwrap();
    symlink(outer.path(), public.join("dir-out")).unwrap();
    symlink("../secret.txt", public.join("relative-out.txt")).unwrap();
    symlink("notes.txt", public.join("link-in.txt")).unwrap();
    silly::run(move || {
        let dir = ServeDir::new(&public).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| dir.serve_path(s).unwrap()).unwrap();
        let addr = server.local_addr();

        for target in [
            "/../secret.txt",
            "/../../../../../../etc/passwd",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/.%2e/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/..%2fsecret.txt",
            "/notes.txt/../../secret.txt",
            "/x/..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%5c..%5csecret.txt",
            "/..\\secret.txt",
            "/notes.txt%00.html",
            "/link-out.txt",
            "/relative-out.txt",
            "/dir-out/secret.txt",
            "/.env",
            "/%2eenv",
            "//secret.txt",
        ] {
            let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            let reply = util::raw_exchange(addr, request.as_bytes());
            assert!(!reply.contains(SECRET), "{target} leaked: {reply}");
            // A target the HTTP parser itself refuses (400) is as good.
            let status = util::status_of(&reply);
            assert!(status == 404 || status == 400, "{target}: {reply}");
            if target.contains('%') || target.contains("link") || target.contains("out") {
                assert_eq!(status, 404, "{target}: {reply}");
            }
        }

        // A NUL byte sent raw in the target.
        let reply = util::raw_exchange(
            addr,
            b"GET /notes.txt\0/../../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert!(!reply.contains(SECRET), "{reply}");

        // A real client that does not squash `..` itself.
        let base = format!("http://{addr}");
        for path in [
            "/../secret.txt",
            "/a/../../secret.txt",
            "/%2e%2e/secret.txt",
        ] {
            let r = fetch(&["--path-as-is", &format!("{base}{path}")]);
            assert_eq!(r.status, 404, "{path}");
            assert!(!r.text().contains(SECRET));
        }

        // Inside stays served, through a symlink too.
        let r = fetch(&[&format!("{base}/link-in.txt")]);
        assert_eq!((r.status, r.text().as_str()), (200, "public notes"));
        server.close();
    });
}
