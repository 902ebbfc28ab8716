//! The fan-out loader against the real broadcast servers (each must deliver
//! every message to every client, in order, dropping nobody), and against a
//! server that skips a message (the loader must not give it a figure).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use silly_bench::fanout::{self, FanoutPlan};

/// Kills the server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(bin: &str, args: &[&str]) -> (Server, SocketAddr) {
    let mut child = Command::new(bin)
        .arg("127.0.0.1:0")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on ").map(|a| a.trim().to_owned()))
        .expect("listening on");
    (server, addr.parse().expect("address"))
}

fn plan(addr: SocketAddr) -> FanoutPlan {
    FanoutPlan {
        addr,
        publisher_addr: None,
        subscribers: 50,
        size: 64,
        in_flight: 16,
        warmup: Duration::from_millis(200),
        measure: Duration::from_millis(500),
        server_pid: None,
    }
}

#[test]
fn every_broadcast_server_delivers_everything_in_order() {
    let servers: [(&str, &[&str]); 5] = [
        (env!("CARGO_BIN_EXE_silly_broadcast"), &[]),
        (env!("CARGO_BIN_EXE_tungstenite_broadcast"), &[]),
        (env!("CARGO_BIN_EXE_tungstenite_broadcast"), &["--batch"]),
        (env!("CARGO_BIN_EXE_fastws_broadcast"), &[]),
        (env!("CARGO_BIN_EXE_fastws_broadcast"), &["--batch"]),
    ];
    for (bin, args) in servers {
        let (_server, addr) = start(bin, args);
        let report = fanout::run(&plan(addr)).expect("fan-out run");
        assert_eq!((report.errors, report.dropped), (0, 0), "{bin} {args:?}");
        assert!(report.messages > 0, "{bin} {args:?} delivered nothing");
        assert!(report.p99_us > 0.0);
    }
}

#[test]
fn a_server_that_skips_a_message_gets_no_figure() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let subscribers = 3;
    std::thread::spawn(move || {
        let mut conns = Vec::new();
        for stream in listener.incoming().take(subscribers + 1) {
            let mut stream = stream.expect("accept");
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            stream
                .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                .expect("answer");
            conns.push(stream);
        }
        // Message 1 where message 0 was due.
        let mut frame = vec![0x81, 64];
        frame.extend_from_slice(b"0000000000000001");
        frame.extend((0..48).map(|i| b'a' + (i % 26) as u8));
        for conn in &mut conns {
            let _ = conn.write_all(&frame);
        }
        // Connections stay open past the run: only the order check can end it.
        std::thread::sleep(Duration::from_secs(30));
    });
    let outcome = fanout::run(&FanoutPlan {
        subscribers,
        ..plan(addr)
    });
    assert!(outcome.is_err(), "{outcome:?}");
}
