//! Running out of file descriptors does not spin the accept loop, and the
//! accept error reaches the application's logger (`log`, warn level).

mod util;

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use silly::net::tcp;
use silly::time;

fn child() {
    // The application's logger: accept errors reach it through `log`.
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Warn)
        .init();
    silly::run(|| {
        let served = Rc::new(Cell::new(0));
        let s = served.clone();
        let server = tcp::listen("127.0.0.1:0", move |conn| {
            let mut buf = [0u8; 4];
            conn.read_exact(&mut buf).unwrap();
            conn.write_all(&buf).unwrap();
            s.set(s.get() + 1);
        })
        .unwrap();
        let mut stat = std::fs::File::open("/proc/self/stat").unwrap();
        // Use up every file descriptor.
        let mut files = Vec::new();
        while let Ok(f) = std::fs::File::open("/dev/null") {
            files.push(f);
        }
        println!("port {}", server.local_addr().port());
        // The parent connects now; accept fails with EMFILE until files close.
        let before = util::cpu_time_of(&mut stat);
        time::sleep(Duration::from_millis(500));
        println!(
            "cpu_ms {}",
            (util::cpu_time_of(&mut stat) - before).as_millis()
        );
        drop(files);
        while served.get() == 0 {
            time::sleep(Duration::from_millis(10));
        }
        println!("served");
    });
}

#[test]
fn emfile_on_accept_backs_off_and_recovers() {
    if util::child_scenario().is_some() {
        child();
        return;
    }
    let mut proc = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "emfile_on_accept_backs_off_and_recovers",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(util::CHILD_ENV, "emfile")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(proc.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("child printed its port").unwrap();
        // libtest may print "test NAME ... " on the same line before our output.
        if let Some((_, p)) = line.split_once("port ") {
            break p.trim().parse().unwrap();
        }
    };
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    conn.write_all(b"ping").unwrap();
    let cpu_ms: u64 = loop {
        let line = lines.next().expect("child printed its CPU use").unwrap();
        if let Some((_, ms)) = line.split_once("cpu_ms ") {
            break ms.trim().parse().unwrap();
        }
    };
    let mut reply = [0u8; 4];
    conn.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"ping", "served once descriptors were free again");
    let status = proc.wait().unwrap();
    let mut stderr = String::new();
    proc.stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "child failed: {stderr}");
    assert!(
        stderr.contains("WARN") && stderr.contains("Too many open files"),
        "the EMFILE was logged: {stderr}"
    );
    assert!(
        cpu_ms < 150,
        "accept loop used {cpu_ms} ms CPU in 500 ms of EMFILE"
    );
}
