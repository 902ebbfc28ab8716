//! `Socket::abort` ends a connection at once, from any clone: a read
//! waiting in another coroutine and a write stuck on a peer that reads
//! nothing both return `Error::Aborted`, later calls too, `is_closed` is
//! true, and the peer sees the connection end without a close frame.

mod util;

use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Error, FrameType};
use silly::{sync, task, time};
use util::interrupt::Baseline;

#[test]
fn abort_ends_a_waiting_read_and_a_stuck_write_without_a_close_frame() {
    silly::run(|| {
        let baseline = Baseline::now();
        let (seen_tx, seen_rx) = sync::channel();
        let (go_tx, go_rx) = sync::channel::<()>();
        // The peer reads one message, then stops reading until told, then
        // reports how its next read ended.
        let server = http::listen("127.0.0.1:0", move |stream| {
            let sock = websocket::upgrade(stream).unwrap();
            let first = sock.read().map(|(data, _)| data.len());
            let _ = go_rx.recv();
            let mut next = sock.read();
            // Drain what the stuck write sent before the end.
            while let Ok((_, FrameType::Binary)) = next {
                next = sock.read();
            }
            let _ = seen_tx.send((first, next.map(|(_, kind)| kind)));
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        sock.write(b"hello", FrameType::Binary).unwrap();

        let reader = sock.clone();
        let reading = task::fork(move || reader.read());
        // A write the peer will not take: it waits on a full socket.
        let writer = sock.clone();
        let writing = task::fork(move || writer.write(&vec![7; 32 << 20], FrameType::Binary));
        time::sleep(Duration::from_millis(100));
        assert!(!sock.is_closed());

        sock.abort();
        assert!(sock.is_closed());
        assert!(matches!(reading.join().unwrap(), Err(Error::Aborted(_))));
        assert!(matches!(
            writing.join().unwrap(),
            Err(Error::Io(_) | Error::Aborted(_))
        ));
        assert!(matches!(sock.read(), Err(Error::Aborted(why)) if why.contains("abort")));
        assert!(matches!(
            sock.write(b"late", FrameType::Text),
            Err(Error::Aborted(_))
        ));
        sock.abort(); // again: nothing
        assert!(sock.peer_close().is_none());

        go_tx.send(()).unwrap();
        let (first, next) = seen_rx.recv().unwrap();
        assert_eq!(first.unwrap(), 5);
        // No close frame: the peer sees the connection end.
        assert!(
            matches!(next, Err(Error::Eof { .. }) | Err(Error::Io(_))),
            "{next:?}"
        );
        drop(sock);
        server.close();
        baseline.assert_back();
    });
}
