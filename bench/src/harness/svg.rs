//! The chart of the report (`bench/results/ratios.svg`).

use crate::harness::results::{Results, Summary};
use crate::harness::stats::paired_ratio;

/// A bar chart of silly-rs / peer CPU per message (below 1: silly-rs cheaper).
pub(crate) fn svg(results: &Results) -> String {
    let mut bars = Vec::new();
    for w in &results.workloads {
        let summaries = &w.servers;
        if w.idle {
            let silly = summaries
                .iter()
                .find(|s| s.name == "silly-rs")
                .map(|s| s.stat(|r| r.idle_bytes_per_conn).0);
            for s in summaries.iter().filter(|s| s.name != "silly-rs") {
                let peer = s.stat(|r| r.idle_bytes_per_conn).0;
                if let (Some(silly), true) = (silly, peer > 0.0) {
                    bars.push((format!("{}: vs {}", w.key, s.name), silly / peer));
                }
            }
            continue;
        }
        let per_round =
            |s: &Summary| -> Vec<f64> { s.runs.iter().map(|r| r.server_us_per_msg).collect() };
        let Some(silly) = summaries.iter().find(|s| s.name == "silly-rs") else {
            continue;
        };
        for s in summaries.iter().filter(|s| s.name != "silly-rs") {
            if let Some(ratio) = paired_ratio(&per_round(silly), &per_round(s)) {
                bars.push((format!("{}: vs {}", w.key, s.name), ratio));
            }
        }
    }
    let row = 22;
    let width = 720;
    let left = 260;
    let scale = |r: f64| ((r.min(2.0)) / 2.0 * (width - left - 40) as f64) as i64;
    let height = 40 + bars.len() * row + 20;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">silly-rs cost relative to each peer (CPU per message; idle: RSS per connection). Below 1 = silly-rs cheaper.</text>\n"
    );
    let one = left + scale(1.0);
    for (i, (label, ratio)) in bars.iter().enumerate() {
        let y = 36 + i * row;
        let color = if *ratio <= 1.0 { "#2e7d32" } else { "#c62828" };
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n<rect x=\"{left}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{color}\"/>\n<text x=\"{}\" y=\"{}\">{:.2}</text>\n",
            left - 6,
            y + 11,
            label.replace('&', "&amp;"),
            y,
            scale(*ratio).max(1),
            left + scale(*ratio) + 4,
            y + 11,
            ratio
        ));
    }
    out.push_str(&format!(
        "<line x1=\"{one}\" y1=\"28\" x2=\"{one}\" y2=\"{}\" stroke=\"black\" stroke-dasharray=\"4\"/>\n<text x=\"{one}\" y=\"{}\" text-anchor=\"middle\">1.0</text>\n</svg>\n",
        height - 16,
        height - 4
    ));
    out
}
