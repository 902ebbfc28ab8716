//! A router serves over HTTPS the same way (`listen_with` and a TLS
//! config), checked with curl.

mod util;

use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;

use silly::net::http::{self, Config, Router};
use silly::net::tls;
use silly::task;
use util::pki::Ca;

#[test]
fn router_over_tls_with_curl() {
    let ca = Ca::new("router test CA");
    let leaf = ca.leaf(&["localhost"]);
    let dir = std::env::temp_dir().join(format!("silly-router-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let tls = tls::ServerConfig::default()
        .cert(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes())
        .unwrap();
    let ca_path = ca_file.to_string_lossy().into_owned();
    silly::run(move || {
        let statuses = Rc::new(RefCell::new(Vec::new()));
        let record = statuses.clone();
        let router = Router::new()
            .get("/rooms/:id", |s| {
                let body = format!("{} room {}", s.scheme(), s.param("id").unwrap());
                s.close(body.as_bytes()).unwrap();
            })
            .layer(move |s, next| {
                next.run(s);
                record.borrow_mut().push((s.path().to_owned(), s.status()));
            });
        let config = Config::default().tls(Some(tls));
        let server = http::listen_with("127.0.0.1:0", config, router.into_handler()).unwrap();
        let port = server.local_addr().port();
        let out = task::spawn_blocking(move || {
            Command::new("curl")
                .args(["--silent", "--show-error", "--max-time", "20"])
                .args(["--cacert", &ca_path, "--write-out", " %{http_code}"])
                .arg(format!("https://localhost:{port}/rooms/blue"))
                .arg(format!("https://localhost:{port}/nope"))
                .output()
                .expect("curl is installed (.ci/deps)")
        });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout, "https room blue 200not found 404");
        assert_eq!(
            *statuses.borrow(),
            [
                ("/rooms/blue".into(), Some(200)),
                ("/nope".into(), Some(404))
            ],
            "the middleware ran over TLS too"
        );
        server.close();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
