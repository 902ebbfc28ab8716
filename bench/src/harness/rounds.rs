//! The measurement: every selected workload, its servers alternating within
//! each round so the machine's drift hits all of them alike.

use std::path::Path;

use crate::harness::launch::{run_load, start_server, Placement};
use crate::harness::results::{Summary, WorkloadResult};
use crate::harness::workloads::WorkloadSpec;

/// How each server is measured.
pub(crate) struct Plan<'a> {
    /// Where the servers' and the loader's binaries are.
    pub(crate) dir: &'a Path,
    pub(crate) rounds: usize,
    /// Seconds measured per run, after `warmup` seconds.
    pub(crate) secs: f64,
    pub(crate) warmup: f64,
    pub(crate) placement: Placement,
}

/// Runs `workloads`, each server once per round (idle ones at most two
/// rounds), and returns the runs that succeeded; failures are printed and
/// leave a run out.
pub(crate) fn measure(plan: &Plan<'_>, workloads: Vec<WorkloadSpec>) -> Vec<WorkloadResult> {
    let mut results = Vec::new();
    for workload in workloads {
        eprintln!("== {}", workload.title);
        let mut summaries: Vec<Summary> = workload
            .servers
            .iter()
            .map(|s| Summary {
                name: s.name.to_owned(),
                runs: Vec::new(),
            })
            .collect();
        let workload_rounds = if workload.idle {
            plan.rounds.min(2)
        } else {
            plan.rounds
        };
        for round in 0..workload_rounds {
            for (spec, summary) in workload.servers.iter().zip(summaries.iter_mut()) {
                let outcome =
                    start_server(plan.dir, spec, plan.placement).and_then(|(mut child, addr)| {
                        let run = run_load(
                            plan.dir,
                            &addr,
                            child.id(),
                            &workload,
                            plan.warmup,
                            plan.secs,
                            plan.placement,
                        );
                        let _ = child.kill();
                        let _ = child.wait();
                        run
                    });
                match outcome {
                    Ok(run) => {
                        eprintln!(
                            "  round {} {:<22} {:>9.0} msg/s  {:>5.2} us CPU/msg  p99 {:>6.0} us  errors {}{}{}",
                            round + 1,
                            spec.name,
                            run.rate,
                            run.server_us_per_msg,
                            run.p99_us,
                            run.errors,
                            if workload.idle { format!("  {:.0} B/conn", run.idle_bytes_per_conn) } else { String::new() },
                            if run.dropped > 0.0 { format!("  DROPPED {} clients with 1008: no figure", run.dropped) } else { String::new() }
                        );
                        summary.runs.push(run);
                    }
                    Err(err) => eprintln!("  round {} {}: {err}", round + 1, spec.name),
                }
            }
        }
        results.push(WorkloadResult {
            key: workload.key.to_owned(),
            title: workload.title.to_owned(),
            idle: workload.idle,
            servers: summaries,
        });
    }
    results
}
