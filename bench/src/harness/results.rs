//! The results of a run: each workload's servers and their runs, and the
//! results file that holds them (`bench/results/latest.json`), written after
//! a run and read back by `render`.

use std::fmt;
use std::io;
use std::path::Path;

use serde_json::Value;

use crate::harness::json::{Doc, JsonError, TOP};
use crate::harness::run::Run;
use crate::harness::stats::median_min_max;
use crate::harness::workloads::workloads;

/// One server's runs of one workload, one per round.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) name: String,
    pub(crate) runs: Vec<Run>,
}

impl Summary {
    /// Median, minimum and maximum of `f` over the runs.
    pub(crate) fn stat(&self, f: impl Fn(&Run) -> f64) -> (f64, f64, f64) {
        median_min_max(&self.runs.iter().map(f).collect::<Vec<_>>())
    }
}

/// One workload's results.
#[derive(Debug)]
pub(crate) struct WorkloadResult {
    pub(crate) key: String,
    pub(crate) title: String,
    /// Measures idle memory, not CPU per message.
    pub(crate) idle: bool,
    pub(crate) servers: Vec<Summary>,
}

/// What a run measured, and how it was made: what the results file holds.
#[derive(Debug)]
pub(crate) struct Results {
    pub(crate) machine: String,
    pub(crate) command: String,
    pub(crate) rounds: usize,
    pub(crate) secs: f64,
    pub(crate) workloads: Vec<WorkloadResult>,
}

/// A results file that could not be read back.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io {
        file: String,
        source: io::Error,
    },
    Json(JsonError),
    /// A workload key this harness does not have.
    UnknownWorkload {
        file: String,
        at: String,
        key: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io { file, source } => write!(f, "{file}: {source}"),
            ReadError::Json(e) => e.fmt(f),
            ReadError::UnknownWorkload { file, at, key } => {
                write!(f, "{file}: {at}: no workload {key:?} in this harness")
            }
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            ReadError::Json(e) => e.source(),
            ReadError::UnknownWorkload { .. } => None,
        }
    }
}

impl From<JsonError> for ReadError {
    fn from(e: JsonError) -> ReadError {
        ReadError::Json(e)
    }
}

impl Results {
    /// The results file's text.
    pub(crate) fn to_json(&self) -> String {
        let mut json = format!(
            "{{\"machine\":{:?},\"command\":{:?},\"rounds\":{},\"secs\":{},\"workloads\":[",
            self.machine, self.command, self.rounds, self.secs
        );
        for (wi, w) in self.workloads.iter().enumerate() {
            if wi > 0 {
                json.push(',');
            }
            json.push_str(&format!(
                "{{\"key\":{:?},\"title\":{:?},\"servers\":[",
                w.key, w.title
            ));
            for (si, s) in w.servers.iter().enumerate() {
                if si > 0 {
                    json.push(',');
                }
                let runs: Vec<String> = s
                    .runs
                    .iter()
                    .map(|r| {
                        format!(
                            "{{\"rate\":{:.1},\"server_us_per_msg\":{:.3},\"p50_us\":{},\"p99_us\":{},\"errors\":{},\"loader_cpu_share\":{:.3},\"server_hwm_kib\":{},\"idle_bytes_per_conn\":{:.0},\"dropped\":{}}}",
                            r.rate, r.server_us_per_msg, r.p50_us, r.p99_us, r.errors, r.loader_cpu_share, r.server_hwm_kib, r.idle_bytes_per_conn, r.dropped
                        )
                    })
                    .collect();
                json.push_str(&format!(
                    "{{\"name\":{:?},\"runs\":[{}]}}",
                    s.name,
                    runs.join(",")
                ));
            }
            json.push_str("]}");
        }
        json.push_str("]}\n");
        json
    }

    /// Reads a results file written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    ///
    /// A [`ReadError`] naming the file, and the key when one is missing or
    /// of the wrong type.
    pub(crate) fn read(file: &Path) -> Result<Results, ReadError> {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|source| ReadError::Io {
            file: name.clone(),
            source,
        })?;
        Results::parse(&name, &text)
    }

    /// [`read`](Self::read) of `text`, named `file` in errors.
    pub(crate) fn parse(file: &str, text: &str) -> Result<Results, ReadError> {
        let doc = Doc::new(file);
        let json = doc.parse(text)?;
        let specs = workloads(false);
        let mut read = Vec::new();
        for (wi, w) in doc.list(&json, TOP, "workloads")?.iter().enumerate() {
            let at = format!("workloads[{wi}]");
            let key = doc.text(w, &at, "key")?;
            let Some(spec) = specs.iter().find(|s| s.key == key) else {
                return Err(ReadError::UnknownWorkload {
                    file: file.to_owned(),
                    at,
                    key: key.to_owned(),
                });
            };
            let mut servers = Vec::new();
            for (si, s) in doc.list(w, &at, "servers")?.iter().enumerate() {
                let at = format!("{at}.servers[{si}]");
                let runs = doc.list(s, &at, "runs")?.iter().enumerate();
                let runs = runs.map(|(ri, r)| read_run(&doc, r, &format!("{at}.runs[{ri}]")));
                servers.push(Summary {
                    name: doc.text(s, &at, "name")?.to_owned(),
                    runs: runs.collect::<Result<_, _>>()?,
                });
            }
            read.push(WorkloadResult {
                key: key.to_owned(),
                title: doc.text(w, &at, "title")?.to_owned(),
                idle: spec.idle,
                servers,
            });
        }
        Ok(Results {
            machine: doc.text(&json, TOP, "machine")?.to_owned(),
            command: doc.text(&json, TOP, "command")?.to_owned(),
            rounds: doc.num(&json, TOP, "rounds")? as usize,
            secs: doc.num(&json, TOP, "secs")?,
            workloads: read,
        })
    }
}

/// One run as the results file holds it (figures already derived).
fn read_run(doc: &Doc, run: &Value, at: &str) -> Result<Run, JsonError> {
    let num = |key| doc.num(run, at, key);
    Ok(Run {
        rate: num("rate")?,
        server_us_per_msg: num("server_us_per_msg")?,
        p50_us: num("p50_us")?,
        p99_us: num("p99_us")?,
        errors: num("errors")?,
        loader_cpu_share: num("loader_cpu_share")?,
        server_hwm_kib: num("server_hwm_kib")?,
        idle_bytes_per_conn: num("idle_bytes_per_conn")?,
        dropped: num("dropped")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Results {
        let run = |rate: f64| Run {
            rate,
            server_us_per_msg: 5.5,
            p50_us: 528.0,
            p99_us: 825.0,
            loader_cpu_share: 0.978,
            server_hwm_kib: 4496.0,
            ..Run::default()
        };
        Results {
            machine: "2 cores, a CPU, Linux".into(),
            command: "cargo run --release -p silly-bench -- tcp".into(),
            rounds: 2,
            secs: 5.0,
            workloads: vec![WorkloadResult {
                key: "tcp".into(),
                title: "TCP echo".into(),
                idle: false,
                servers: vec![Summary {
                    name: "silly-rs".into(),
                    runs: vec![run(178143.8), run(134592.0)],
                }],
            }],
        }
    }

    #[test]
    fn a_results_file_reads_back_to_the_same_text() {
        let text = sample().to_json();
        let read = Results::parse("latest.json", &text).unwrap();
        assert_eq!(read.to_json(), text);
        assert_eq!(read.workloads[0].servers[0].runs[1].rate, 134592.0);
    }

    #[test]
    fn a_missing_key_is_an_error_naming_it_and_the_file() {
        let text = sample().to_json().replacen("\"p99_us\":", "\"p98_us\":", 1);
        let err = Results::parse("bench/results/latest.json", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bench/results/latest.json: workloads[0].servers[0].runs[0]: no key \"p99_us\""
        );
        let text = sample().to_json().replace("\"machine\":", "\"host\":");
        let err = Results::parse("f.json", &text).unwrap_err();
        assert_eq!(err.to_string(), "f.json: top level: no key \"machine\"");
    }

    #[test]
    fn an_unknown_workload_is_refused() {
        let text = sample()
            .to_json()
            .replace("\"key\":\"tcp\"", "\"key\":\"udp\"");
        let err = Results::parse("f.json", &text).unwrap_err();
        assert!(matches!(err, ReadError::UnknownWorkload { ref key, .. } if key == "udp"));
    }
}
