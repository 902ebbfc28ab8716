//! AUTH and SELECT from the URL against a real redis-server.

mod util;

use silly::redis::{self, cmd, Config, Error};
use util::redis::RedisServer;

#[test]
fn the_right_password_logs_in_and_a_wrong_one_is_a_server_error() {
    let server = RedisServer::with_args(&["--requirepass", "s3cret pw"]);
    let port = server.port();
    silly::run(move || {
        let mut conn = redis::connect(&format!("redis://:s3cret%20pw@127.0.0.1:{port}")).unwrap();
        conn.set("k", "v").unwrap();
        // The same with the user name of Redis 6 ACLs.
        let mut named =
            redis::connect(&format!("redis://default:s3cret%20pw@127.0.0.1:{port}/")).unwrap();
        assert_eq!(named.get::<String>("k").unwrap(), "v");

        match redis::connect(&format!("redis://:wrong@127.0.0.1:{port}")) {
            Err(Error::Server(e)) => assert_eq!(e.kind(), "WRONGPASS", "{e}"),
            other => panic!("{other:?}"),
        }
        let mut anonymous = redis::connect(&format!("redis://127.0.0.1:{port}")).unwrap();
        match anonymous.get::<Option<String>>("k") {
            Err(Error::Server(e)) => assert_eq!(e.kind(), "NOAUTH", "{e}"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn the_db_of_the_url_is_selected() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let mut db3 = redis::connect(&format!("{url}/3")).unwrap();
        db3.set("where", "three").unwrap();
        let mut db0 = redis::connect(&url).unwrap();
        assert_eq!(db0.get::<Option<String>>("where").unwrap(), None);
        db0.query::<()>(&cmd("SELECT").arg(3)).unwrap();
        assert_eq!(db0.get::<String>("where").unwrap(), "three");

        let config = Config::from_url(&url).unwrap().db(99);
        match redis::Connection::open(&config) {
            Err(Error::Server(e)) => assert_eq!(e.kind(), "ERR", "{e}"),
            other => panic!("{other:?}"),
        }
    });
}
