//! Example programs run as child processes, the way their users run them.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running example server, killed when dropped (a failing test leaves no
/// process behind).
pub struct Example {
    child: Child,
    /// Held open so a late line on stdout never meets a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// What it printed after `listening on `.
    pub addr: String,
}

impl Example {
    /// Starts `examples/NAME` with `args` and waits for its `listening on ADDR`
    /// line (lines before it are skipped). `cargo test` builds the examples next to the test binaries; when
    /// they are missing (`cargo test --test NAME` alone), it is built first.
    pub fn start(name: &str, args: &[&str]) -> Example {
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
        Example {
            addr,
            _stdout: stdout,
            child,
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
