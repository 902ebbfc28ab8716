//! `rediss://`: the client over TLS to a real redis-server, its certificate
//! verified against the test's CA.

mod util;

use silly::net::tls;
use silly::redis::{Config, Connection, Error};
use util::pki::Ca;
use util::redis::RedisServer;

#[test]
fn rediss_connects_with_a_trusted_ca_and_refuses_an_unknown_one() {
    let ca = Ca::new("redis test CA");
    let leaf = ca.leaf(&["localhost"]);
    let server = RedisServer::tls(&leaf.cert_pem, &leaf.key_pem);
    let url = format!("rediss://localhost:{}/1", server.port());
    let ca_pem = ca.pem();
    silly::run(move || {
        let trusted = tls::ClientConfig::with_ca_pem(ca_pem.as_bytes()).unwrap();
        let config = Config::from_url(&url).unwrap().tls(Some(trusted));
        let mut conn = Connection::open(&config).unwrap();
        conn.set("over", "tls").unwrap();
        assert_eq!(conn.get::<String>("over").unwrap(), "tls");

        // The default roots do not know the test CA.
        match Connection::open(&Config::from_url(&url).unwrap()) {
            Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}"),
            other => panic!("{other:?}"),
        }
    });
}
