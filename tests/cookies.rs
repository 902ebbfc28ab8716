//! Feature `cookies`: `Stream::cookie` and `cookies` read what the client
//! sent (across several Cookie headers), `set_cookie` adds one Set-Cookie
//! per cookie with its attributes to the response, and curl's cookie jar
//! (`-c`, `-b`) keeps and sends them back.

mod util;

use silly::net::http::{self, cookie, Cookie, SameSite};
use util::curl::fetch;
use util::files::TempDir;

fn handler(s: &mut http::Stream) {
    match s.path() {
        "/login" => {
            s.set_cookie(
                Cookie::build(("session", "abc123"))
                    .path("/")
                    .http_only(true)
                    .secure(false)
                    .same_site(SameSite::Strict)
                    .max_age(cookie::time::Duration::hours(2)),
            )
            .unwrap();
            s.set_cookie(("theme", "dark")).unwrap();
            let mut gone = Cookie::new("old", "");
            gone.make_removal();
            s.set_cookie(gone).unwrap();
            s.reply(200, &[], b"logged in").unwrap();
        }
        "/evil" => {
            let refused = s.set_cookie(("a", "b\r\nX-Injected: 1")).is_err();
            s.reply(200, &[], format!("refused={refused}").as_bytes())
                .unwrap();
        }
        _ => {
            let all: Vec<String> = s
                .cookies()
                .map(|c| format!("{}={}", c.name(), c.value()))
                .collect();
            let session = s.cookie("session").map(|c| c.value().to_owned());
            s.reply(200, &[], format!("{all:?} session={session:?}").as_bytes())
                .unwrap();
        }
    }
}

#[test]
fn cookies_read_set_and_round_trip_through_curl() {
    let jar_dir = TempDir::new("cookies");
    let jar = jar_dir.path().join("jar.txt");
    silly::run(move || {
        let server = http::listen("127.0.0.1:0", handler).unwrap();
        let base = format!("http://{}", server.local_addr());

        let r = fetch(&[&format!("{base}/login")]);
        let set = r.headers("set-cookie");
        assert_eq!(set.len(), 3, "{}", r.head);
        let session: Vec<&str> = set[0].split("; ").collect();
        assert_eq!(session[0], "session=abc123");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=7200"] {
            assert!(session.contains(&attribute), "{attribute} in {set:?}");
        }
        assert!(!session.contains(&"Secure"), "{set:?}");
        assert_eq!(set[1], "theme=dark");
        assert!(
            set[2].starts_with("old=; ") && set[2].contains("Max-Age=0"),
            "{set:?}"
        );

        // Reading: several pairs in one header, several headers, junk skipped.
        let r = fetch(&[
            "-H",
            "Cookie: session=s1; theme=light",
            "-H",
            "Cookie: novalue; lang=fr",
            &format!("{base}/show"),
        ]);
        assert_eq!(
            r.text(),
            r#"["session=s1", "theme=light", "lang=fr"] session=Some("s1")"#
        );
        let r = fetch(&[&format!("{base}/show")]);
        assert_eq!(r.text(), "[] session=None");

        // curl's jar: -c stores what the server set, -b sends it back.
        let jar = jar.to_str().unwrap();
        fetch(&["-c", jar, &format!("{base}/login")]);
        let r = fetch(&["-b", jar, &format!("{base}/show")]);
        let text = r.text();
        assert!(
            text.contains("\"session=abc123\"") && text.contains("\"theme=dark\""),
            "{text}"
        );
        assert!(!text.contains("old="), "a removal is not kept: {text}");
        assert!(text.ends_with(r#"session=Some("abc123")"#), "{text}");

        let r = fetch(&[&format!("{base}/evil")]);
        assert_eq!(r.text(), "refused=true");
        assert_eq!(r.header("x-injected"), None);
        assert!(r.headers("set-cookie").is_empty());
        server.close();
    });
}
