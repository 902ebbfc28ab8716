//! What the report says about where it was measured: the machine and the
//! crates' versions.

use std::path::PathBuf;

/// The workspace root, where the report goes.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The machine, for the report: cores, CPU model, kernel.
pub(crate) fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} cores, {model}, Linux {}", kernel.trim())
}

/// The versions of the peers' crates (and of silly-rs's own dependencies
/// that matter most), from `Cargo.lock`.
pub(crate) fn crate_versions() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap_or_default();
    let wanted = [
        "tokio",
        "hyper",
        "tokio-tungstenite",
        "fastwebsockets",
        "may",
        "may_minihttp",
        "mio",
        "corosensei",
    ];
    let mut found = Vec::new();
    let mut name = String::new();
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = n.trim_matches('"').to_owned();
        } else if let Some(v) = line.strip_prefix("version = ") {
            if wanted.contains(&name.as_str())
                && !found.iter().any(|(n, _): &(String, String)| *n == name)
            {
                found.push((name.clone(), v.trim_matches('"').to_owned()));
            }
        }
    }
    found
}
