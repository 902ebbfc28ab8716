//! Interrupts on plain TCP streams: reads cut at random points stay whole,
//! writes cut midway close the stream, and `Task::cancel` does the same as a
//! timeout. See `util::interrupt`.

mod util;

use silly::net::tcp::TcpListener;
use util::interrupt::{self, tcp_pair, Baseline, Scale};

#[test]
fn reads_cut_at_random_points_lose_nothing() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (reader, writer) = tcp_pair(&listener);
        drop(listener);
        interrupt::cut_reads(reader, writer, seed, Scale::from_env());
        base.assert_back();
    });
}

#[test]
fn writes_cut_at_random_points_close_or_stay_whole() {
    let _serial = util::serial();
    let seed = interrupt::seed();
    silly::run(move || {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        interrupt::cut_writes(|| tcp_pair(&listener), seed, Scale::from_env());
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn cancel_cuts_a_read_whole_and_a_write_closed() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (reader, writer) = tcp_pair(&listener);
        interrupt::cancel_read(reader, writer);
        let (peer, writer) = tcp_pair(&listener);
        interrupt::cancel_write(writer, peer);
        drop(listener);
        base.assert_back();
    });
}

#[test]
fn a_write_cut_before_sending_anything_stays_whole() {
    let _serial = util::serial();
    silly::run(|| {
        let base = Baseline::now();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (peer, writer) = tcp_pair(&listener);
        interrupt::cut_waiting_write(writer, peer);
        drop(listener);
        base.assert_back();
    });
}
