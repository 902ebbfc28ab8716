//! ServeDirConfig: its check refuses what cannot work (through
//! `ServeDir::new_with`, as an `InvalidInput` io::Error holding the
//! ConfigError), a root that is missing or not a directory is an error, and
//! the options change what is served (`index`, `dotfiles`).

mod util;

use std::io;

use silly::config::ConfigError;
use silly::net::http::{self, ServeDir, ServeDirConfig};
use util::curl::fetch;
use util::files::TempDir;

#[test]
fn bad_configs_and_roots_are_errors() {
    let root = TempDir::new("files-config");
    let file = root.write("file.txt", "x");
    for (config, field) in [
        (
            ServeDirConfig::default().index(Some("a/index.html".into())),
            "index",
        ),
        (ServeDirConfig::default().index(Some("..".into())), "index"),
        (
            ServeDirConfig::default().index(Some(String::new())),
            "index",
        ),
        (ServeDirConfig::default().chunk_bytes(0), "chunk_bytes"),
    ] {
        assert_eq!(config.check().unwrap_err().field(), field);
        let err = ServeDir::new_with(root.path(), config).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let source = err.get_ref().and_then(|e| e.downcast_ref::<ConfigError>());
        assert_eq!(source.map(ConfigError::field), Some(field), "{err}");
    }
    assert_eq!(
        ServeDir::new(root.path().join("missing"))
            .unwrap_err()
            .kind(),
        io::ErrorKind::NotFound
    );
    assert_eq!(
        ServeDir::new(&file).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
    let dir = ServeDir::new(root.path()).unwrap();
    assert_eq!(dir.root(), root.path().canonicalize().unwrap());
}

#[test]
fn index_and_dotfiles_options() {
    let root = TempDir::new("files-config-options");
    root.write("index.html", "default index");
    root.write("home.htm", "custom index");
    root.write(".well-known/security.txt", "contact");
    silly::run(move || {
        let plain = ServeDir::new(root.path()).unwrap();
        let custom = ServeDir::new_with(
            root.path(),
            ServeDirConfig::default()
                .index(Some("home.htm".into()))
                .dotfiles(true),
        )
        .unwrap();
        let none = ServeDir::new_with(root.path(), ServeDirConfig::default().index(None)).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| {
            let path = s.path().to_owned();
            let (dir, rest) = if let Some(rest) = path.strip_prefix("/custom") {
                (&custom, rest)
            } else if let Some(rest) = path.strip_prefix("/none") {
                (&none, rest)
            } else {
                (&plain, path.as_str())
            };
            dir.serve(s, rest).unwrap()
        })
        .unwrap();
        let base = format!("http://{}", server.local_addr());
        assert_eq!(fetch(&[&format!("{base}/")]).text(), "default index");
        assert_eq!(fetch(&[&format!("{base}/custom/")]).text(), "custom index");
        assert_eq!(fetch(&[&format!("{base}/none/")]).status, 404);
        assert_eq!(
            fetch(&[&format!("{base}/none/index.html")]).text(),
            "default index"
        );
        assert_eq!(
            fetch(&[&format!("{base}/.well-known/security.txt")]).status,
            404
        );
        let r = fetch(&[&format!("{base}/custom/.well-known/security.txt")]);
        assert_eq!((r.status, r.text().as_str()), (200, "contact"));
        assert_eq!(fetch(&[&format!("{base}/")]).header("cache-control"), None);
        server.close();
    });
}
