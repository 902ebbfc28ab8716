//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod curl;
pub mod example;
pub mod files;
pub mod interrupt;
pub mod pki;
pub mod redis;
pub mod router;
pub mod ws;

use std::process::{Command, Output};
use std::time::Duration;

use silly::net::tcp::{TcpListener, TcpStream};
use silly::task;

/// A connected TCP pair on loopback: (client side, accepted side). Call it
/// inside `silly::run`.
pub fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = task::fork(move || TcpStream::connect(addr).unwrap());
    let (server, _) = listener.accept().unwrap();
    (client.join().unwrap(), server)
}

/// Tests that count process-wide things (fds, RSS, a runtime's stats while
/// other tests' runtimes run on other threads) hold this lock, so the tests of
/// one binary that do run one at a time.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Resident memory of this process, in KiB.
pub fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Open file descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// CPU time (user + system) the calling thread has used, from
/// `/proc/thread-self/stat` (clock ticks of 10 ms: coarse, which is all the
/// tests need). The thread's, not the process's: the test harness runs other
/// tests on other threads of the same process meanwhile.
pub fn cpu_time() -> Duration {
    cpu_time_of(&mut std::fs::File::open("/proc/thread-self/stat").unwrap())
}

/// CPU time from an already open `/proc/.../stat` file, for a process that has
/// no file descriptor to spare.
pub fn cpu_time_of(stat_file: &mut std::fs::File) -> Duration {
    use std::io::{Read, Seek};
    let mut stat = String::new();
    stat_file.rewind().unwrap();
    stat_file.read_to_string(&mut stat).unwrap();
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Environment variable that tells a re-executed test binary which scenario to run.
pub const CHILD_ENV: &str = "SILLY_TEST_CHILD";

/// Runs the test `test_name` of the current test binary again in a child process,
/// with `CHILD_ENV` set to `scenario`, and returns its output.
pub fn run_child(test_name: &str, scenario: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, scenario)
        .output()
        .expect("spawn the test binary")
}

/// The scenario this process was started for, if it is a child.
pub fn child_scenario() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// A small deterministic pseudo-random generator (xorshift64*), so tests need no
/// extra crate and a failure reproduces.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}

/// Sends `request` on a new connection to `addr`, half-closes, and returns all
/// the server sent until it closed (or 5 s passed).
pub fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let conn = silly::net::tcp::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5)));
    conn.write_all(request).unwrap();
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = conn.read(&mut buf) {
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&reply).into_owned()
}

/// The status code of the first response in `reply`.
pub fn status_of(reply: &str) -> u16 {
    reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {reply:?}"))
}

/// Reads one request head (through its blank line) off a raw connection; `None`
/// if the connection ends or fails first. Any body stays unread.
pub fn read_request_head(conn: &TcpStream) -> Option<String> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        match conn.read_until(b'\n', &mut head) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Waits (sleeping 5 ms at a time, 10 s at most) until `done` holds; panics
/// with `what` if it never does. Call it inside `silly::run`.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < until, "never happened: {what}");
        silly::time::sleep(Duration::from_millis(5));
    }
}
