//! The client's redirects never hand credentials to another origin: a hop that
//! changes scheme, host or port goes without the caller's `Authorization`,
//! `Cookie`, `Proxy-Authorization` and `Host`, and an https -> http redirect is
//! refused unless the config allows it. Real servers on 127.0.0.1 and
//! `localhost`, on ports of their own; each records what it received.

mod util;

use std::cell::RefCell;
use std::rc::Rc;

use silly::net::http::{self, Client, ClientConfig, Config, Error, Server, Stream};
use silly::net::tls;
use util::pki::Ca;

/// What a server received: server name, method, target, headers, body.
#[derive(Debug, Clone)]
struct Seen {
    server: &'static str,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Log = Rc<RefCell<Vec<Seen>>>;

/// Appends what `s` carries to `log`, under the server's `name`.
fn record(name: &'static str, log: &Log, s: &mut Stream) {
    let body = s.read_all().unwrap();
    log.borrow_mut().push(Seen {
        server: name,
        method: s.method().to_owned(),
        target: s.target().to_owned(),
        headers: s
            .headers()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        body,
    });
}

/// A server that records every request; `/to/STATUS/URL` redirects to URL
/// (percent-free, given after the status) with STATUS, anything else is 200.
fn server(name: &'static str, log: &Log, tls: Option<tls::ServerConfig>) -> Server {
    let log = log.clone();
    let handler = move |s: &mut http::Stream| {
        record(name, &log, s);
        let target = s.target().to_owned();
        match target.strip_prefix("/to/") {
            Some(rest) => {
                let (status, location) = rest.split_once('/').unwrap();
                s.reply(status.parse().unwrap(), &[("Location", location)], b"")
                    .unwrap();
            }
            None => s.reply(200, &[], name.as_bytes()).unwrap(),
        }
    };
    http::listen_with("127.0.0.1:0", Config::default().tls(tls), handler).unwrap()
}

const CREDENTIALS: [(&str, &str); 3] = [
    ("Authorization", "Bearer secret"),
    ("Cookie", "session=secret"),
    ("Proxy-Authorization", "Basic c2VjcmV0"),
];

fn follows() -> Client {
    Client::new(ClientConfig::default().max_redirects(5)).unwrap()
}

#[test]
fn credentials_stay_with_their_origin() {
    silly::run(|| {
        let log: Log = Rc::default();
        let a = server("a", &log, None);
        let b = server("b", &log, None);
        let (pa, pb) = (a.local_addr().port(), b.local_addr().port());
        let client = follows();
        let with_host: Vec<(&str, &str)> = CREDENTIALS
            .iter()
            .copied()
            .chain([("Host", "a.example")])
            .collect();

        // Same origin: everything is sent again, the caller's Host too.
        let r = client
            .request(
                "GET",
                &format!("http://127.0.0.1:{pa}/to/302//landing"),
                &with_host,
                b"",
            )
            .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"a"[..]));
        let seen = log.borrow().last().cloned().unwrap();
        assert_eq!((seen.server, seen.target.as_str()), ("a", "/landing"));
        for (name, value) in CREDENTIALS {
            assert_eq!(seen.header(name), Some(value), "same origin keeps {name}");
        }
        assert_eq!(seen.header("host"), Some("a.example"));

        // Another host and port (127.0.0.1 -> localhost), another port only,
        // another host only: none of them is sent on.
        let cross = [
            (
                format!("http://localhost:{pb}/landing"),
                "b",
                format!("localhost:{pb}"),
            ),
            (
                format!("http://127.0.0.1:{pb}/landing"),
                "b",
                format!("127.0.0.1:{pb}"),
            ),
            (
                format!("http://localhost:{pa}/landing"),
                "a",
                format!("localhost:{pa}"),
            ),
        ];
        for (to, server, host) in cross {
            for status in [301, 302, 303, 307, 308] {
                log.borrow_mut().clear();
                let url = format!("http://127.0.0.1:{pa}/to/{status}/{to}");
                let r = client.request("GET", &url, &with_host, b"").unwrap();
                assert_eq!((r.status, r.body.as_slice()), (200, server.as_bytes()));
                let log = log.borrow();
                assert_eq!(log.len(), 2, "{log:?}");
                assert_eq!(log[0].header("authorization"), Some("Bearer secret"));
                let seen = &log[1];
                assert_eq!((seen.server, seen.target.as_str()), (server, "/landing"));
                for (name, _) in CREDENTIALS {
                    assert_eq!(seen.header(name), None, "{status} to {to} dropped {name}");
                }
                assert_eq!(seen.header("host"), Some(host.as_str()), "{status} to {to}");
            }
        }

        // Once dropped they stay dropped, even on a hop back to the first origin.
        log.borrow_mut().clear();
        let back = format!("http://127.0.0.1:{pa}/landing");
        let url = format!("http://127.0.0.1:{pa}/to/302/http://localhost:{pb}/to/302/{back}");
        let r = client.request("GET", &url, &CREDENTIALS, b"").unwrap();
        assert_eq!(r.body, b"a");
        let log = log.borrow();
        assert_eq!(log.len(), 3, "{log:?}");
        assert_eq!(log[2].header("cookie"), None);
        assert_eq!(log[2].header("authorization"), None);
        a.close();
        b.close();
    });
}

/// A POST redirected with 303 (and 301/302) becomes a GET without its body and
/// the headers that described it; 307 keeps method and body (without the
/// credentials, as the origin changes).
#[test]
fn a_redirect_to_get_drops_the_body_and_its_headers() {
    silly::run(|| {
        let log: Log = Rc::default();
        let a = server("a", &log, None);
        let b = server("b", &log, None);
        let (pa, pb) = (a.local_addr().port(), b.local_addr().port());
        let client = follows();
        let headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", "7"),
            ("Cookie", "c=1"),
        ];
        for status in [301, 302, 303] {
            log.borrow_mut().clear();
            let url = format!("http://127.0.0.1:{pa}/to/{status}/http://localhost:{pb}/next");
            let r = client
                .request("POST", &url, &headers, b"{\"x\":1}")
                .unwrap();
            assert_eq!(r.body, b"b");
            let seen = log.borrow()[1].clone();
            assert_eq!(
                (seen.method.as_str(), seen.body.as_slice()),
                ("GET", &b""[..])
            );
            assert_eq!(seen.header("content-type"), None, "{status}");
            assert_eq!(seen.header("content-length"), None, "{status}");
            assert_eq!(seen.header("cookie"), None, "{status}");
        }
        log.borrow_mut().clear();
        let url = format!("http://127.0.0.1:{pa}/to/307/http://localhost:{pb}/next");
        client
            .request("POST", &url, &headers, b"{\"x\":1}")
            .unwrap();
        let seen = log.borrow()[1].clone();
        assert_eq!(
            (seen.method.as_str(), seen.body.as_slice()),
            ("POST", &b"{\"x\":1}"[..])
        );
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.header("cookie"), None);
        a.close();
        b.close();
    });
}

#[test]
fn https_to_http_is_refused_unless_allowed() {
    silly::run(|| {
        let ca = Ca::new("redirect test CA");
        let leaf = ca.leaf(&["localhost"]);
        let server_tls =
            tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
        let client_tls = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
        let log: Log = Rc::default();
        let secure = server("secure", &log, Some(server_tls));
        let plain = server("plain", &log, None);
        let (ps, pp) = (secure.local_addr().port(), plain.local_addr().port());
        let url = format!("https://localhost:{ps}/to/302/http://localhost:{pp}/landing");

        let config = ClientConfig::default().max_redirects(5).tls(client_tls);
        assert!(!config.redirect_https_to_http, "refused by default");
        let client = Client::new(config.clone()).unwrap();
        match client.request("GET", &url, &CREDENTIALS, b"") {
            Err(Error::InsecureRedirect(to)) => {
                assert_eq!(to, format!("http://localhost:{pp}/landing"))
            }
            other => panic!("expected a refused redirect, got {other:?}"),
        }
        assert_eq!(log.borrow().len(), 1, "nothing reached the plain server");
        let message = client
            .request("GET", &url, &[], b"")
            .unwrap_err()
            .to_string();
        assert!(message.contains("redirect_https_to_http"), "{message}");

        // https -> https on the same origin is followed as usual.
        let same = format!("https://localhost:{ps}/to/302//landing");
        assert_eq!(client.get(&same).unwrap().body, b"secure");

        // Allowed: followed, and the scheme change drops the credentials.
        log.borrow_mut().clear();
        let client = Client::new(config.redirect_https_to_http(true)).unwrap();
        let r = client.request("GET", &url, &CREDENTIALS, b"").unwrap();
        assert_eq!(r.body, b"plain");
        let log = log.borrow();
        assert_eq!(log[0].header("authorization"), Some("Bearer secret"));
        for (name, _) in CREDENTIALS {
            assert_eq!(log[1].header(name), None, "{name}");
        }
        secure.close();
        plain.close();
    });
}
