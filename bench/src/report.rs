//! What a load run measured, and how: the server's and the loader's CPU time
//! and the server's memory, read from `/proc`.

/// What one load run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Messages (or requests) completed in the window.
    pub messages: u64,
    /// Length of the window, seconds.
    pub seconds: f64,
    /// Median and 99th percentile latency, microseconds.
    pub p50_us: f64,
    /// 99th percentile latency, microseconds.
    pub p99_us: f64,
    /// Replies that did not match, connections that failed.
    pub errors: u64,
    /// Server CPU (user + system) in the window, microseconds.
    pub server_cpu_us: f64,
    /// Loader CPU in the window, microseconds.
    pub loader_cpu_us: f64,
    /// Server resident memory at the end, and its peak, KiB.
    pub server_rss_kib: u64,
    /// Peak resident memory of the server, KiB.
    pub server_hwm_kib: u64,
    /// Idle workload: server RSS growth per connection, bytes.
    pub idle_bytes_per_conn: f64,
    /// Bytes of the replies counted in `messages` (frame headers included):
    /// the server's bytes on the wire.
    pub reply_bytes: u64,
    /// Connections the server closed with 1008 (too slow): a server that
    /// drops clients of a loader that keeps up earns no figure.
    pub dropped: u64,
}

impl Report {
    /// Messages per second.
    pub fn rate(&self) -> f64 {
        self.messages as f64 / self.seconds.max(1e-9)
    }

    /// Server CPU microseconds per message.
    pub fn server_us_per_msg(&self) -> f64 {
        self.server_cpu_us / (self.messages.max(1)) as f64
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"messages\":{},\"seconds\":{:.3},\"rate\":{:.1},\"p50_us\":{:.1},\"p99_us\":{:.1},\"errors\":{},\
             \"server_cpu_us\":{:.0},\"loader_cpu_us\":{:.0},\"server_rss_kib\":{},\"server_hwm_kib\":{},\
             \"idle_bytes_per_conn\":{:.0},\"reply_bytes\":{},\"dropped\":{}}}",
            self.messages,
            self.seconds,
            self.rate(),
            self.p50_us,
            self.p99_us,
            self.errors,
            self.server_cpu_us,
            self.loader_cpu_us,
            self.server_rss_kib,
            self.server_hwm_kib,
            self.idle_bytes_per_conn,
            self.reply_bytes,
            self.dropped
        )
    }
}

/// CPU time (user + system) of a process from `/proc/PID/stat`, microseconds
/// (clock ticks of 10 ms).
pub fn cpu_us(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    ticks as f64 * 10_000.0
}

/// The server's and the loader's CPU clocks at the start of a measured
/// window, and what they used since.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meter {
    server_pid: Option<String>,
    self_pid: String,
    server_cpu_us: f64,
    loader_cpu_us: f64,
}

impl Meter {
    /// A meter of this process and the server `server_pid`, if known.
    pub(crate) fn new(server_pid: Option<u32>) -> Meter {
        Meter {
            server_pid: server_pid.map(|p| p.to_string()),
            self_pid: std::process::id().to_string(),
            ..Meter::default()
        }
    }

    /// Starts the window now.
    pub(crate) fn start(&mut self) {
        self.server_cpu_us = self.server_pid.as_deref().map(cpu_us).unwrap_or(0.0);
        self.loader_cpu_us = cpu_us(&self.self_pid);
    }

    /// A report with the CPU used since [`start`](Self::start) and the
    /// server's memory now; the load's own counts are left at zero.
    pub(crate) fn report(&self) -> Report {
        let server = |field| {
            self.server_pid
                .as_deref()
                .map(|p| status_kib(p, field))
                .unwrap_or(0)
        };
        Report {
            server_cpu_us: self.server_pid.as_deref().map(cpu_us).unwrap_or(0.0)
                - self.server_cpu_us,
            loader_cpu_us: cpu_us(&self.self_pid) - self.loader_cpu_us,
            server_rss_kib: server("VmRSS"),
            server_hwm_kib: server("VmHWM"),
            ..Report::default()
        }
    }
}

/// A `/proc/PID/status` field in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
