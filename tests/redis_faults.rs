//! Failures: the server killed mid-command, a server that never answers,
//! and a subscriber that outlives a server restart.

mod util;

use std::sync::mpsc;
use std::time::Duration;

use silly::net::tcp::TcpListener;
use silly::redis::{self, cmd, Config, Connection, Error, Event, Subscriber};
use silly::{task, time};
use util::redis::RedisServer;

/// Runs `f` on a thread of its own once the runtime sends on the channel:
/// killing or restarting a server blocks, and must not block the runtime.
fn on_signal<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> (mpsc::Sender<()>, std::thread::JoinHandle<T>) {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        rx.recv().unwrap();
        f()
    });
    (tx, thread)
}

#[test]
fn a_server_killed_mid_command_is_an_error_not_a_hang() {
    let mut server = RedisServer::start();
    let url = server.url();
    let (kill, killer) = on_signal(move || server.kill());
    silly::run(move || {
        let config = Config::from_url(&url)
            .unwrap()
            .read_timeout(Some(Duration::from_secs(30)));
        let mut conn = Connection::open(&config).unwrap();
        let blocked = task::fork(move || {
            // Blocks in the server until the list gets an element: never.
            let r = conn.query::<Option<Vec<Vec<u8>>>>(&cmd("BLPOP").arg("nothing").arg(0));
            (r, conn)
        });
        time::sleep(Duration::from_millis(50));
        kill.send(()).unwrap();
        let (result, mut conn) = blocked.join().unwrap();
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Closed | Error::Io(_)), "{err:?}");
        assert!(!err.to_string().is_empty());
        assert!(conn.is_closed());
        let err = conn.ping().unwrap_err();
        assert!(matches!(err, Error::Closed) && !err.is_timeout(), "{err:?}");
    });
    killer.join().unwrap();
}

#[test]
fn a_silent_server_times_out() {
    silly::run(|| {
        // Accepts, reads and never answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let _acceptor = task::fork(move || {
            let mut held = Vec::new();
            while let Ok((conn, _)) = listener.accept() {
                held.push(conn);
            }
        });
        let config = Config::from_url(&format!("redis://127.0.0.1:{port}"))
            .unwrap()
            .read_timeout(Some(Duration::from_millis(100)));
        let mut conn = Connection::open(&config).unwrap();
        let err = conn.ping().unwrap_err();
        assert!(matches!(err, Error::Timeout) && err.is_timeout(), "{err:?}");
        assert!(
            conn.is_closed(),
            "a late reply would answer the next command"
        );
        assert!(matches!(conn.ping(), Err(Error::Closed)));

        let mut conn = Connection::open(&config).unwrap();
        let pipe = conn.pipeline().cmd(cmd("PING")).cmd(cmd("PING"));
        assert!(matches!(pipe.query(), Err(Error::Timeout)));

        // AUTH on connect is bounded by the connect timeout.
        let config = config
            .password(Some("pw".into()))
            .read_timeout(None)
            .connect_timeout(Some(Duration::from_millis(100)));
        let err = Connection::open(&config).unwrap_err();
        assert!(matches!(err, Error::Timeout) && err.is_timeout(), "{err:?}");
    });
}

#[test]
fn nothing_listening_is_an_io_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    silly::run(
        move || match redis::connect(&format!("redis://127.0.0.1:{port}")) {
            Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
            other => panic!("{other:?}"),
        },
    );
}

#[test]
fn the_subscriber_resubscribes_after_a_restart() {
    let mut server = RedisServer::start();
    let url = server.url();
    let (restart, restarter) = on_signal(move || {
        server.restart();
        server
    });
    silly::run(move || {
        let config = Config::from_url(&url)
            .unwrap()
            .backoff_min(Duration::from_millis(20))
            .backoff_max(Duration::from_millis(200));
        let sub = Subscriber::open(config).unwrap();
        sub.subscribe(&["ch"]).unwrap();
        sub.psubscribe(&["pat:*"]).unwrap();
        let mut publisher = redis::connect(&url).unwrap();
        publisher.publish("ch", "before").unwrap();
        assert_eq!(
            sub.next_message_timeout(Duration::from_secs(5))
                .unwrap()
                .payload,
            b"before"
        );

        restart.send(()).unwrap();
        let wait = Duration::from_secs(10);
        match time::timeout(wait, || sub.next_event()).unwrap().unwrap() {
            Event::Disconnected(e) => assert!(e.breaks_connection(), "{e:?}"),
            other => panic!("{other:?}"),
        }
        // Subscribed while down: recorded, and subscribed on reconnection.
        sub.subscribe(&["late"]).unwrap();
        assert!(matches!(
            time::timeout(wait, || sub.next_event()).unwrap().unwrap(),
            Event::Reconnected
        ));
        assert!(sub.is_connected());

        let mut publisher = redis::connect(&url).unwrap();
        assert_eq!(publisher.publish("ch", "after").unwrap(), 1);
        assert_eq!(publisher.publish("pat:x", "pattern").unwrap(), 1);
        assert_eq!(publisher.publish("late", "late").unwrap(), 1);
        let got: Vec<_> = (0..3)
            .map(|_| sub.next_message_timeout(wait).unwrap().payload)
            .collect();
        assert_eq!(got, [&b"after"[..], b"pattern", b"late"]);
    });
    restarter.join().unwrap();
}
