//! The numbers of one run, as read from the loader's JSON line.

use crate::harness::json::{Doc, JsonError, TOP};

/// The numbers of one run of one server.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    pub(crate) rate: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) errors: f64,
    pub(crate) server_us_per_msg: f64,
    pub(crate) loader_cpu_share: f64,
    pub(crate) server_hwm_kib: f64,
    pub(crate) idle_bytes_per_conn: f64,
    /// Clients the server closed with 1008 (fan-out): such a run has no
    /// CPU figure (`server_us_per_msg` is 0).
    pub(crate) dropped: f64,
}

impl Run {
    /// Reads the line the loader prints (`silly_bench::report::Report::to_json`);
    /// `file` names it in errors.
    ///
    /// # Errors
    ///
    /// A [`JsonError`] naming the key, when one the harness uses is missing
    /// or not a number.
    pub(crate) fn from_loader(file: &str, line: &str) -> Result<Run, JsonError> {
        let doc = Doc::new(file);
        let json = doc.parse(line)?;
        let num = |key| doc.num(&json, TOP, key);
        let messages = num("messages")?.max(1.0);
        let seconds = num("seconds")?.max(1e-9);
        let dropped = num("dropped")?;
        let server_cpu_us = num("server_cpu_us")?;
        Ok(Run {
            dropped,
            rate: num("rate")?,
            p50_us: num("p50_us")?,
            p99_us: num("p99_us")?,
            errors: num("errors")?,
            server_us_per_msg: if dropped > 0.0 {
                0.0
            } else {
                server_cpu_us / messages
            },
            loader_cpu_share: num("loader_cpu_us")? / (seconds * 1e6),
            server_hwm_kib: num("server_hwm_kib")?,
            idle_bytes_per_conn: num("idle_bytes_per_conn")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line as the loader prints it.
    const LINE: &str = "{\"messages\":1000,\"seconds\":2.000,\"rate\":500.0,\"p50_us\":10.0,\"p99_us\":20.0,\"errors\":0,\"server_cpu_us\":5000,\"loader_cpu_us\":1000000,\"server_rss_kib\":1,\"server_hwm_kib\":2,\"idle_bytes_per_conn\":0,\"reply_bytes\":0,\"dropped\":0}";

    #[test]
    fn loader_json_is_parsed() {
        let run = Run::from_loader("line", LINE).unwrap();
        assert_eq!(run.server_us_per_msg, 5.0);
        assert_eq!(run.loader_cpu_share, 0.5);
        assert_eq!(run.p99_us, 20.0);
        assert_eq!(run.server_hwm_kib, 2.0);
        let dropped = Run::from_loader("line", &LINE.replace("\"dropped\":0", "\"dropped\":3"));
        let dropped = dropped.unwrap();
        assert_eq!((dropped.dropped, dropped.server_us_per_msg), (3.0, 0.0));
    }

    #[test]
    fn the_report_of_the_loader_is_read_whole() {
        let report = silly_bench::report::Report::default();
        let run = Run::from_loader("report", &report.to_json()).unwrap();
        assert_eq!((run.rate, run.dropped), (0.0, 0.0));
    }

    #[test]
    fn a_missing_key_is_an_error_naming_it_and_the_file() {
        for key in ["messages", "rate", "p99_us", "server_cpu_us", "dropped"] {
            let line = LINE.replace(&format!("\"{key}\":"), "\"renamed\":");
            let err = Run::from_loader("the loader's output", &line).unwrap_err();
            assert!(
                matches!(err, JsonError::Missing { key: k, .. } if k == key),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(text.contains(&format!("{key:?}")), "{text}");
            assert!(text.starts_with("the loader's output: "), "{text}");
        }
        let err = Run::from_loader("out", &LINE.replace("\"rate\":500.0", "\"rate\":\"fast\""));
        assert!(matches!(err, Err(JsonError::WrongType { key: "rate", .. })));
        assert!(matches!(
            Run::from_loader("out", "rate=5"),
            Err(JsonError::Syntax { .. })
        ));
    }
}
