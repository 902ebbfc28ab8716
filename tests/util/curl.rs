//! curl, the real HTTP client of the tests, run on the blocking pool so the
//! server in the same runtime keeps running.

use std::process::{Command, Output};

use silly::task;

/// curl's exit status and output, whatever they are.
pub fn output(args: &[&str]) -> Output {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    task::spawn_blocking(move || {
        Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(&owned)
            .output()
            .expect("curl is installed (.ci/deps installs it)")
    })
}

/// A response as curl received it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The head as received, lines ending in CRLF.
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Every value of header `name`, in order.
    pub fn headers(&self, name: &str) -> Vec<&str> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim())
            })
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Runs curl with `--include` and `args` (it must succeed) and splits what
/// it printed into the response head and body.
pub fn fetch(args: &[&str]) -> Reply {
    let mut all = vec!["--include"];
    all.extend_from_slice(args);
    let out = output(&all);
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let split = out
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&out.stdout)));
    let head = String::from_utf8(out.stdout[..split + 2].to_vec()).unwrap();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Reply {
        status,
        head,
        body: out.stdout[split + 4..].to_vec(),
    }
}
