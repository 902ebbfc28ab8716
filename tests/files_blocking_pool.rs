//! ServeDir does its filesystem work on the blocking pool, never on the
//! loop: with the pool's only thread held, a file request waits (while the
//! loop goes on running timers and other coroutines), and it is answered as
//! soon as the pool is free again.

mod util;

use std::time::Duration;

use silly::net::http::{self, ServeDir};
use silly::{task, time};
use util::files::TempDir;

#[test]
fn file_requests_wait_for_the_pool_not_the_loop() {
    let root = TempDir::new("files-pool");
    root.write("a.txt", "from the pool");
    silly::Builder::new().blocking_threads(1).run(move || {
        let dir = ServeDir::new(root.path()).unwrap();
        let server = http::listen("127.0.0.1:0", move |s| {
            if s.path() == "/ping" {
                return s.reply(200, &[], b"pong").unwrap();
            }
            dir.serve_path(s).unwrap()
        })
        .unwrap();
        let addr = server.local_addr();

        // Hold the pool's only thread until told to let go.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let holder = task::fork(move || task::spawn_blocking(move || held.recv().is_ok()));
        task::yield_now();
        assert_eq!(
            silly::stats().blocking_calls,
            1,
            "the holder's job is submitted"
        );

        let request =
            task::fork(move || util::raw_exchange(addr, b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        // The loop is free: timers fire, other requests are answered.
        for _ in 0..5 {
            time::sleep(Duration::from_millis(40));
            let pong = util::raw_exchange(addr, b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
            assert!(pong.ends_with("pong"), "{pong}");
        }
        assert!(!request.is_finished(), "the file was read without the pool");
        assert_eq!(
            silly::stats().blocking_calls,
            2,
            "the file lookup waits on the pool"
        );

        release.send(()).unwrap();
        assert!(holder.join().unwrap());
        let reply = request.join().unwrap();
        assert_eq!(util::status_of(&reply), 200, "{reply}");
        assert!(reply.ends_with("from the pool"), "{reply}");
        assert_eq!(silly::stats().blocking_calls, 0);
        server.close();
    });
}
