//! The statistics of the report: medians over rounds, and ratios paired by
//! round.

/// The median, the minimum and the maximum of `values` (all 0 for none).
pub(crate) fn median_min_max(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// silly-rs's figure divided by a peer's, round by round, and the median of
/// those ratios. Each round runs every server back to back, seconds apart, so a
/// machine that slows down for a minute slows both sides of a pair alike; the
/// ratio of the two medians mixes rounds and lets that drift through.
pub(crate) fn paired_ratio(silly: &[f64], peer: &[f64]) -> Option<f64> {
    let ratios: Vec<f64> = silly
        .iter()
        .zip(peer)
        .filter(|(s, p)| **s > 0.0 && **p > 0.0)
        .map(|(s, p)| s / p)
        .collect();
    (!ratios.is_empty()).then(|| median_min_max(&ratios).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_paired_by_round() {
        // The machine got twice as slow for the last two rounds: each pair still
        // says silly-rs costs 0.8 of the peer; the ratio of medians would not.
        let silly = [4.0, 4.0, 4.0, 8.0, 8.0];
        let peer = [5.0, 5.0, 5.0, 10.0, 10.0];
        assert_eq!(paired_ratio(&silly, &peer), Some(0.8));
        assert_eq!(paired_ratio(&silly, &[0.0; 5]), None);
        assert_eq!(paired_ratio(&[], &[]), None);
        // A run without a figure (a fan-out server that dropped clients)
        // pairs with nothing.
        assert_eq!(paired_ratio(&[0.0, 4.0], &[5.0, 5.0]), Some(0.8));
    }

    #[test]
    fn median_of_runs() {
        assert_eq!(median_min_max(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(median_min_max(&[]), (0.0, 0.0, 0.0));
    }
}
