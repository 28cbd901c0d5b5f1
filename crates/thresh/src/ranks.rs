//! `thresh merge-stats`: the per-rank stats of a sharded run (`ranks/rank-R-of-W.json`, one per
//! `--rank R --world-size W` task) combined into the run's `stats.json`.

use std::fs;
use std::path::Path;

use crate::layout::Layout;
use crate::report::RunReport;

/// Combines every rank's stats under `output` (a directory or an object-store prefix) into
/// `stats.json` (written atomically) and returns it. Every rank of the world size must be
/// there, all with the same world size, and the combined accounting must balance.
pub fn merge_stats(output: &str) -> Result<RunReport, String> {
    let layout = Layout::open(output, Path::new("")).map_err(|e| format!("{output}: {e}"))?;
    let dir = layout.ranks_dir();
    let shown = format!("{}/ranks", layout.name());
    layout
        .store()
        .pull_dir(&dir)
        .map_err(|e| format!("{}: {e}", layout.name()))?;
    let entries = fs::read_dir(&dir).map_err(|e| format!("{shown}: {e}"))?;
    let mut ranks: Vec<(u32, u32, RunReport)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{shown}: {e}"))?.path();
        let Some((rank, world_size)) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_name)
        else {
            continue;
        };
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let report: RunReport = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a rank's stats: {e}", path.display()))?;
        ranks.push((rank, world_size, report));
    }
    ranks.sort_by_key(|(rank, world_size, _)| (*world_size, *rank));
    let Some(&(_, world_size, _)) = ranks.first() else {
        return Err(format!("{}: no rank stats (rank-R-of-W.json)", shown));
    };
    if let Some((_, other, _)) = ranks.iter().find(|(_, w, _)| *w != world_size) {
        return Err(format!(
            "{}: stats of world sizes {world_size} and {other} side by side; rerun with --overwrite",
            shown
        ));
    }
    let missing: Vec<String> = (0..world_size)
        .filter(|r| !ranks.iter().any(|(rank, _, _)| rank == r))
        .map(|r| r.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "ranks {} of {world_size} have not finished: run them first",
            missing.join(", ")
        ));
    }
    let mut merged = RunReport::default();
    for (i, (_, _, report)) in ranks.iter().enumerate() {
        if i == 0 {
            merged.stats = report.stats.clone();
            merged.barriers = report.barriers.clone();
        } else {
            merged.stats.merge(&report.stats);
        }
        merged.files.total += report.files.total;
        merged.files.processed += report.files.processed;
        merged.files.resumed += report.files.resumed;
        merged.threads = merged.threads.max(report.threads);
        // The ranks ran side by side: the run took as long as the slowest.
        merged.wall_seconds = merged.wall_seconds.max(report.wall_seconds);
    }
    let s = &merged.stats;
    let accounted = s.kept + s.dropped.values().sum::<u64>() + s.errored;
    if accounted != s.read {
        return Err(format!(
            "the ranks read {} documents but account for {accounted}",
            s.read
        ));
    }
    let seconds = merged.wall_seconds.max(1e-9);
    merged.docs_per_second = s.read as f64 / seconds;
    merged.mb_per_second = s.bytes_in as f64 / 1e6 / seconds;
    let json = serde_json::to_vec_pretty(&merged).expect("report serializes");
    layout
        .store()
        .write(&layout.stats_path(), &json)
        .map_err(|e| format!("{}: {e}", layout.stats_path().display()))?;
    Ok(merged)
}

/// `rank-00003-of-00004.json` → (3, 4).
fn parse_name(name: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix("rank-")?.strip_suffix(".json")?;
    let (rank, world_size) = rest.split_once("-of-")?;
    Some((rank.parse().ok()?, world_size.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_file_names() {
        assert_eq!(parse_name("rank-00003-of-00004.json"), Some((3, 4)));
        assert_eq!(parse_name("rank-3-of-4.json"), Some((3, 4)));
        assert_eq!(parse_name("stats.json"), None);
        assert_eq!(parse_name("rank-x-of-4.json"), None);
    }
}
