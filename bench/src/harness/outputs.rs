//! Where the report goes: the published files after a pinned `all` run
//! (`BENCHMARKS.md`, `bench/results/latest.json`, `bench/results/ratios.svg`),
//! else `bench/results/partial.*`, so a quick look at one row never replaces
//! the published tables.

use std::path::Path;
use std::time::Duration;

use crate::harness::launch::Placement;
use crate::harness::markdown::markdown;
use crate::harness::results::Results;
use crate::harness::svg::svg;

/// Writes the report of `results` under `root`: the published files when
/// `published`, else the partial ones. `elapsed` and `placement` are said
/// in the Markdown only.
pub(crate) fn write_outputs(
    root: &Path,
    results: &Results,
    elapsed: Duration,
    placement: Placement,
    published: bool,
) {
    let _ = std::fs::create_dir_all(root.join("bench/results"));
    let (json_path, md_path) = if published {
        ("bench/results/latest.json", "BENCHMARKS.md")
    } else {
        ("bench/results/partial.json", "bench/results/partial.md")
    };
    let _ = std::fs::write(root.join(json_path), results.to_json());
    if published {
        let _ = std::fs::write(root.join("bench/results/ratios.svg"), svg(results));
    }
    let md = markdown(results, elapsed, placement, published);
    let _ = std::fs::write(root.join(md_path), md);
}
