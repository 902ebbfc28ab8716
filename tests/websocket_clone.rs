//! One socket, two coroutines: a clone of a client `Socket` writes numbered
//! messages while the original reads their echoes, each call under
//! `time::timeout` with a random deadline, over a real 127.0.0.1
//! connection with small kernel buffers (so writes wait for the echo, the
//! echo waits for the reader, and cuts land inside messages). Every echo
//! arrives whole and in order, every message whose write returned `Ok`
//! comes back, and one whose write was cut comes back whole or not at all.
//!
//! Seeded: the seed is printed; `SEED=n` replays it.

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use silly::net::http;
use silly::net::websocket::{self, Error, FrameType, Message, Socket};
use silly::{task, time};
use util::interrupt::{seed, Baseline};
use util::Rng;

/// Socket buffers: small, so a message of a few hundred KiB waits many times.
const BUFFER: usize = 32 * 1024;
/// A marker (the sequence number) every this many bytes.
const MARK_EVERY: usize = 16 * 1024;

fn small_buffers(sock: &Socket) {
    let s = socket2::SockRef::from(sock.conn());
    s.set_send_buffer_size(BUFFER).unwrap();
    s.set_recv_buffer_size(BUFFER).unwrap();
}

/// Message `seq` of `len` bytes: `seq` at every mark, its low byte between.
fn message(seq: u64, len: usize) -> Vec<u8> {
    let mut data = vec![seq as u8; len];
    for at in (0..len).step_by(MARK_EVERY) {
        let end = (at + 8).min(len);
        data[at..end].copy_from_slice(&seq.to_be_bytes()[..end - at]);
    }
    data
}

/// The number of an intact message (panics on a torn or mixed one).
fn check(data: &[u8]) -> u64 {
    assert!(data.len() >= 8, "a message of {} bytes", data.len());
    let seq = u64::from_be_bytes(data[..8].try_into().unwrap());
    assert_eq!(data, message(seq, data.len()), "message {seq} is not whole");
    seq
}

/// Half the time a deadline that cuts inside a transfer, else a generous one.
fn deadline(rng: &RefCell<Rng>) -> Duration {
    let mut rng = rng.borrow_mut();
    if rng.below(2) == 0 {
        Duration::from_micros(rng.below(3_000))
    } else {
        Duration::from_secs(5)
    }
}

#[test]
fn one_coroutine_reads_while_a_clone_writes_with_interrupts() {
    let seed = seed();
    let count: u64 = if std::env::var("CI").as_deref() == Ok("true") {
        150
    } else {
        300
    };
    silly::run(move || {
        let baseline = Baseline::now();
        let server = http::listen("127.0.0.1:0", |stream| {
            let Ok(sock) = websocket::upgrade(stream) else {
                return;
            };
            small_buffers(&sock);
            while let Ok((data, kind @ (FrameType::Text | FrameType::Binary))) = sock.read() {
                if sock.write(&data, kind).is_err() {
                    return;
                }
            }
        })
        .unwrap();
        let sock = websocket::connect(&format!("ws://{}/", server.local_addr()), &[]).unwrap();
        small_buffers(&sock);
        let rng = Rc::new(RefCell::new(Rng::new(seed)));
        let written = Rc::new(RefCell::new(Vec::new()));
        let cut = Rc::new(RefCell::new(Vec::new()));

        let writer = sock.clone();
        let (w_rng, w_written, w_cut) = (rng.clone(), written.clone(), cut.clone());
        let writing = task::fork(move || {
            for seq in 0..count {
                let len = 8 + w_rng.borrow_mut().below(256 * 1024) as usize;
                let data = message(seq, len);
                match time::timeout(deadline(&w_rng), || writer.write(&data, FrameType::Binary)) {
                    Ok(Ok(())) => w_written.borrow_mut().push(seq),
                    Err(_elapsed) => w_cut.borrow_mut().push(seq),
                    Ok(Err(e)) => panic!("write {seq}: {e}"),
                }
            }
            // The rest of a message cut short goes out before "done".
            writer.write(b"done", FrameType::Text).unwrap();
        });

        let mut read = Vec::new();
        let read_cuts = Cell::new(0);
        loop {
            match time::timeout(deadline(&rng), || sock.read_message()) {
                Err(_elapsed) => read_cuts.set(read_cuts.get() + 1),
                Ok(Ok(Message::Binary(data))) => read.push(check(&data)),
                Ok(Ok(Message::Text(t))) if t == "done" => break,
                Ok(other) => panic!("unexpected {other:?}"),
            }
        }
        writing.join().unwrap();

        let (written, cut) = (written.borrow(), cut.borrow());
        println!(
            "{} written, {} writes cut, {} read, {} reads cut",
            written.len(),
            cut.len(),
            read.len(),
            read_cuts.get()
        );
        assert!(
            !cut.is_empty() && read_cuts.get() > 0,
            "no cuts: a test of nothing"
        );
        assert!(
            read.windows(2).all(|w| w[0] < w[1]),
            "out of order or twice: {read:?}"
        );
        for seq in written.iter() {
            assert!(
                read.contains(seq),
                "message {seq} was written but never came back"
            );
        }
        for seq in &read {
            assert!(
                written.contains(seq) || cut.contains(seq),
                "{seq} came from nowhere"
            );
        }
        sock.close().unwrap();
        assert!(matches!(sock.read(), Err(Error::Closed)));
        drop(sock);
        server.close();
        baseline.assert_back();
    });
}
