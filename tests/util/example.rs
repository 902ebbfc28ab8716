//! Example programs run as child processes, the way their users run them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary of `examples/NAME`. `cargo test` builds the examples next to
/// the test binaries; when they are missing (`cargo test --test NAME`
/// alone), it is built first.
pub fn path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples")
        .join(name);
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo)
            .args(["build", "--example", name])
            .status()
            .unwrap();
        assert!(built.success(), "building examples/{name} failed");
    }
    bin
}

/// A running example server, killed when dropped (a failing test leaves no
/// process behind).
pub struct Example {
    child: Child,
    /// The lines it prints after `listening on`, read by a thread that keeps
    /// the pipe open (a late line never meets a closed pipe).
    lines: mpsc::Receiver<String>,
    /// What it printed after `listening on `.
    pub addr: String,
}

impl Example {
    /// Starts `examples/NAME` with `args` and waits for its `listening on ADDR`
    /// line (lines before it are skipped); see [`path`].
    pub fn start(name: &str, args: &[&str]) -> Example {
        let bin = path(name);
        let mut child = Command::new(&bin)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("{name} ended without printing `listening on ADDR`");
            }
            if let Some(addr) = line.trim().strip_prefix("listening on ") {
                break addr.to_owned();
            }
        };
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Example { addr, lines, child }
    }

    /// Sends `signal` (`"TERM"`, `"INT"`, `"HUP"`) with `kill`.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal}");
    }

    /// Waits (up to `limit`) for a line on stdout that starts with `prefix`,
    /// skipping others; panics if none comes.
    pub fn expect_line(&self, prefix: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line starting with {prefix:?} within {limit:?}"),
            }
        }
    }

    /// Waits (up to `limit`) for the process to exit; panics if it does not.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
