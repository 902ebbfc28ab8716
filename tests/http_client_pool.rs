//! The client's keep-alive pool against servers that close idle connections:
//! a connection the server has closed is never used for a request, and only
//! idempotent requests are repeated when a connection dies mid-request.

mod util;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use silly::net::http::{self, Client, ClientConfig, Config, Timeouts};
use silly::net::tcp::TcpListener;
use silly::net::tls;
use silly::task;
use util::pki::Ca;

/// The server's keep-alive timeout in these tests (Node's default is 5 s).
const KEEP_ALIVE: Duration = Duration::from_millis(200);

/// A server that closes connections idle for [`KEEP_ALIVE`], answering each
/// request with its method and body; records the client port of each request.
fn echo_server(
    tls: Option<tls::ServerConfig>,
) -> (silly::net::http::Server, Rc<RefCell<Vec<u16>>>) {
    let ports = Rc::new(RefCell::new(Vec::new()));
    let seen = ports.clone();
    let handler = move |s: &mut http::Stream| {
        seen.borrow_mut().push(s.remote_addr().port());
        let mut reply = s.method().as_bytes().to_vec();
        reply.extend_from_slice(&s.read_all().unwrap());
        s.reply(200, &[], &reply).unwrap();
    };
    let config = Config::default()
        .tls(tls)
        .timeouts(Timeouts::default().keep_alive(Some(KEEP_ALIVE)));
    (
        http::listen_with("127.0.0.1:0", config, handler).unwrap(),
        ports,
    )
}

/// A server config for `localhost` and a client config that trusts it.
fn tls_pair() -> (tls::ServerConfig, tls::ClientConfig) {
    let ca = Ca::new("pool test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server =
        tls::ServerConfig::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).unwrap();
    let client = tls::ClientConfig::with_ca_pem(ca.pem().as_bytes()).unwrap();
    (server, client)
}

/// GET, wait past the server's keep-alive, POST: the POST goes out on a new
/// connection and succeeds.
fn post_after_the_server_closed_the_pooled_connection(client: &Client, url: &str) {
    assert_eq!(client.get(url).unwrap().body, b"GET");
    silly::time::sleep(KEEP_ALIVE * 2);
    let response = client.post(url, &[], b" data").unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"POST data"[..])
    );
}

#[test]
fn post_after_keep_alive_expiry_uses_a_new_connection() {
    silly::run(|| {
        let (server, ports) = echo_server(None);
        let url = format!("http://{}/", server.local_addr());
        let client = Client::default();
        post_after_the_server_closed_the_pooled_connection(&client, &url);
        let ports = ports.borrow();
        assert_eq!(ports.len(), 2, "each request reached the handler once");
        assert_ne!(ports[0], ports[1], "the POST came on a new connection");
        server.close();
    });
}

#[test]
fn post_after_keep_alive_expiry_over_tls() {
    let (server_tls, client_tls) = tls_pair();
    silly::run(move || {
        let (server, ports) = echo_server(Some(server_tls));
        let url = format!("https://localhost:{}/", server.local_addr().port());
        let client = Client::new(ClientConfig::default().tls(client_tls)).unwrap();
        post_after_the_server_closed_the_pooled_connection(&client, &url);
        let ports = ports.borrow();
        assert_eq!(ports.len(), 2);
        assert_ne!(ports[0], ports[1]);
        server.close();
    });
}

/// Three POSTs in a row all go out on the first connection.
fn live_connection_is_reused(tls: Option<(tls::ServerConfig, tls::ClientConfig)>) {
    silly::run(move || {
        let (server_tls, client_config) = match tls {
            Some((server, client)) => (Some(server), ClientConfig::default().tls(client)),
            None => (None, ClientConfig::default()),
        };
        let scheme = if server_tls.is_some() {
            "https"
        } else {
            "http"
        };
        let (server, ports) = echo_server(server_tls);
        let url = format!("{scheme}://localhost:{}/", server.local_addr().port());
        let client = Client::new(client_config).unwrap();
        for _ in 0..3 {
            assert_eq!(client.post(&url, &[], b"!").unwrap().body, b"POST!");
        }
        let ports = ports.borrow();
        assert!(
            ports.iter().all(|p| *p == ports[0]),
            "one connection: {ports:?}"
        );
        server.close();
    });
}

#[test]
fn a_live_pooled_connection_is_reused() {
    live_connection_is_reused(None);
}

#[test]
fn a_live_pooled_tls_connection_is_reused() {
    let (server, client) = tls_pair();
    live_connection_is_reused(Some((server, client)));
}

/// A raw server whose first connection answers one request, then reads the
/// next and closes without answering (it dies mid-request); later connections
/// answer every request. Returns its address and the request lines it read.
fn dies_mid_request() -> (SocketAddr, Rc<RefCell<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Rc::new(RefCell::new(Vec::new()));
    let seen = requests.clone();
    task::fork(move || {
        let mut first = true;
        while let Ok((conn, _)) = listener.accept() {
            let seen = seen.clone();
            let dies = std::mem::take(&mut first);
            task::fork(move || {
                let mut answered = 0;
                while let Some(head) = util::read_request_head(&conn) {
                    seen.borrow_mut()
                        .push(head.lines().next().unwrap_or_default().to_owned());
                    if dies && answered == 1 {
                        return; // closes the connection with the request unanswered
                    }
                    answered += 1;
                    conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .unwrap();
                }
            });
        }
    });
    (addr, requests)
}

#[test]
fn only_idempotent_requests_are_repeated_after_a_connection_dies_mid_request() {
    silly::run(|| {
        let (addr, requests) = dies_mid_request();
        let url = format!("http://{addr}/");
        let client = Client::default();
        assert_eq!(client.get(&url).unwrap().body, b"ok");
        assert_eq!(
            client.get(&url).unwrap().body,
            b"ok",
            "repeated on a new connection"
        );
        assert_eq!(
            *requests.borrow(),
            ["GET / HTTP/1.1", "GET / HTTP/1.1", "GET / HTTP/1.1"]
        );

        let (addr, requests) = dies_mid_request();
        let url = format!("http://{addr}/");
        assert_eq!(client.get(&url).unwrap().body, b"ok");
        let err = client.post(&url, &[], b"").unwrap_err();
        match err {
            http::Error::Io(e) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
            other => panic!("expected the connection's EOF, got {other}"),
        }
        assert_eq!(
            *requests.borrow(),
            ["GET / HTTP/1.1", "POST / HTTP/1.1"],
            "a POST is sent once: the server may have acted on it"
        );
    });
}
