//! `sync::Select`: the first ready of several channels, a socket, a deadline.

mod util;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use silly::io::{Interest, Registered};
use silly::sync::{channel, Select};
use silly::task;
use silly::time::{self, Elapsed};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn the_channel_that_gets_a_message_first_is_chosen() {
    silly::run(|| {
        let (tx_a, a) = channel::<&str>();
        let (tx_b, b) = channel::<&str>();
        let sender = task::fork(move || {
            time::sleep(ms(5));
            tx_b.send("b").unwrap();
            tx_a
        });
        let mut select = Select::new();
        let ia = select.recv(&a);
        let ib = select.recv(&b);
        let chosen = select.ready();
        assert_eq!(chosen, ib);
        assert_ne!(chosen, ia);
        assert_eq!(b.try_recv(), Ok("b"));
        drop(sender.join().unwrap());
    });
}

#[test]
fn a_deadline_ends_the_wait_and_leaves_no_watcher_behind() {
    silly::run(|| {
        let (tx, rx) = channel::<u32>();
        let mut select = Select::new();
        select.recv(&rx);
        let started = Instant::now();
        assert_eq!(select.ready_timeout(ms(20)), Err(Elapsed));
        assert!(started.elapsed() >= ms(20));
        assert_eq!(silly::stats().timers, 0);
        // The channel works as before: a plain receiver gets the next message.
        let receiver = task::fork(move || rx.recv());
        task::yield_now();
        tx.send(5).unwrap();
        assert_eq!(receiver.join().unwrap(), Ok(5));
    });
}

#[test]
fn a_closed_channel_is_ready() {
    silly::run(|| {
        let (tx, rx) = channel::<u32>();
        let closer = task::fork(move || {
            time::sleep(ms(2));
            drop(tx);
        });
        let mut select = Select::new();
        let i = select.recv(&rx);
        assert_eq!(select.ready_timeout(ms(5_000)), Ok(i));
        assert!(rx.try_recv().is_err());
        closer.join().unwrap();
    });
}

#[test]
fn operations_ready_together_take_turns() {
    silly::run(|| {
        let (tx_a, a) = channel::<u32>();
        let (tx_b, b) = channel::<u32>();
        for n in 0..4 {
            tx_a.send(n).unwrap();
            tx_b.send(n).unwrap();
        }
        let mut select = Select::new();
        let ia = select.recv(&a);
        let ib = select.recv(&b);
        let mut order = Vec::new();
        for _ in 0..4 {
            let i = select.ready();
            order.push(i);
            if i == ia {
                a.try_recv().unwrap();
            } else {
                b.try_recv().unwrap();
            }
        }
        assert_eq!(order, [ia, ib, ia, ib]);
    });
}

#[test]
fn a_socket_that_becomes_readable_is_chosen() {
    silly::run(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (ours, _) = listener.accept().unwrap();
        ours.set_nonblocking(true).unwrap();
        let ours = Registered::new(mio::net::TcpStream::from_std(ours)).unwrap();
        // Drain: a WouldBlock read tells the reactor nothing is there.
        let mut buf = [0u8; 8];
        let drained = ours.io(Interest::READABLE, Some(Instant::now()), |mut s| {
            s.read(&mut buf)
        });
        assert!(drained.is_err());
        let (_tx, quiet) = channel::<()>();
        let mut select = Select::new();
        let isock = select.add(&ours);
        select.recv(&quiet);
        let writer = task::fork(move || {
            time::sleep(ms(5));
            peer.write_all(b"hi").unwrap();
            peer
        });
        assert_eq!(select.ready_timeout(ms(5_000)), Ok(isock));
        let n = ours
            .io(Interest::READABLE, None, |mut s| s.read(&mut buf))
            .unwrap();
        assert_eq!(&buf[..n], b"hi");
        drop(writer.join().unwrap());
    });
}

#[test]
fn a_cancelled_select_leaves_its_channels_clean() {
    silly::run(|| {
        let (tx, rx) = channel::<u32>();
        let rx2 = rx.clone();
        let selecting = task::fork(move || {
            let mut select = Select::new();
            select.recv(&rx2);
            select.ready()
        });
        task::yield_now();
        selecting.task().cancel();
        assert!(selecting.join().unwrap_err().is_cancelled());
        tx.send(1).unwrap();
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(silly::stats().live_tasks, 1);
    });
}

#[test]
#[should_panic(expected = "no operation")]
fn ready_with_nothing_to_wait_for_panics() {
    silly::run(|| {
        Select::new().ready();
    });
}

#[test]
fn a_tcp_stream_in_a_select() {
    silly::run(|| {
        let (client, server) = util::tcp_pair();
        let (_tx, quiet) = channel::<()>();
        // Nothing read yet: the reactor assumes data may be there. A read that
        // finds none tells it otherwise.
        server.set_read_timeout(Some(ms(1)));
        let mut buf = [0u8; 8];
        assert!(server.read(&mut buf).is_err());
        let mut select = Select::new();
        let isock = select.add(&server);
        select.recv(&quiet);
        assert_eq!(select.ready_timeout(ms(10)), Err(Elapsed));
        let writer = task::fork(move || {
            time::sleep(ms(5));
            client.write_all(b"line\nrest").unwrap();
            client
        });
        assert_eq!(select.ready_timeout(ms(5_000)), Ok(isock));
        let mut line = String::new();
        server.read_line(&mut line).unwrap();
        assert_eq!(line, "line\n");
        // "rest" is buffered now: ready without touching the socket.
        assert_eq!(select.try_ready(), Some(isock));
        drop(writer.join().unwrap());
    });
}
