//! `thresh merge-stats`: the per-rank stats of a sharded run (`ranks/rank-R-of-W.json`, one per
//! `--rank R --world-size W` task) combined into the run's `stats.json`.

use std::fs;
use std::io;
use std::path::Path;

use crate::layout::Layout;
use crate::report::RunReport;

/// Why the ranks' stats could not be merged ([`merge_stats`]).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory, as shown.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// A `rank-R-of-W.json` is not a rank's stats.
    #[error("{path}: not a rank's stats: {source}")]
    NotStats {
        /// The file.
        path: String,
        /// The error.
        source: serde_json::Error,
    },
    /// No rank has written its stats.
    #[error("{dir}: no rank stats (rank-R-of-W.json)")]
    NoRanks {
        /// The ranks' directory, as shown.
        dir: String,
    },
    /// Stats of two world sizes lie side by side (two runs mixed).
    #[error(
        "{dir}: stats of world sizes {first} and {other} side by side; rerun with --overwrite"
    )]
    MixedWorldSizes {
        /// The ranks' directory, as shown.
        dir: String,
        /// The world size of the first rank file.
        first: u32,
        /// Another world size found.
        other: u32,
    },
    /// Some ranks have not finished.
    #[error("ranks {} of {world_size} have not finished: run them first", list(.missing))]
    Unfinished {
        /// The ranks without stats.
        missing: Vec<u32>,
        /// The world size.
        world_size: u32,
    },
    /// The merged accounting does not balance.
    #[error("the ranks read {read} documents but account for {accounted}")]
    Unbalanced {
        /// Documents read.
        read: u64,
        /// Documents kept, dropped and errored.
        accounted: u64,
    },
}

fn list(ranks: &[u32]) -> String {
    let shown: Vec<String> = ranks.iter().map(u32::to_string).collect();
    shown.join(", ")
}

/// Combines every rank's stats under `output` (a directory or an object-store prefix) into
/// `stats.json` (written atomically) and returns it. Every rank of the world size must be
/// there, all with the same world size, and the combined accounting must balance.
pub fn merge_stats(output: &str) -> Result<RunReport, MergeError> {
    let io_error = |path: String| move |source| MergeError::Io { path, source };
    let layout = Layout::open(output, Path::new("")).map_err(io_error(output.to_string()))?;
    let dir = layout.ranks_dir();
    let shown = format!("{}/ranks", layout.name());
    layout
        .store()
        .pull_dir(&dir)
        .map_err(io_error(layout.name()))?;
    let entries = fs::read_dir(&dir).map_err(io_error(shown.clone()))?;
    let mut ranks: Vec<(u32, u32, RunReport)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_error(shown.clone()))?.path();
        let Some((rank, world_size)) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_name)
        else {
            continue;
        };
        let bytes = fs::read(&path).map_err(io_error(path.display().to_string()))?;
        let report: RunReport =
            serde_json::from_slice(&bytes).map_err(|source| MergeError::NotStats {
                path: path.display().to_string(),
                source,
            })?;
        ranks.push((rank, world_size, report));
    }
    ranks.sort_by_key(|(rank, world_size, _)| (*world_size, *rank));
    let Some(&(_, world_size, _)) = ranks.first() else {
        return Err(MergeError::NoRanks { dir: shown });
    };
    if let Some((_, other, _)) = ranks.iter().find(|(_, w, _)| *w != world_size) {
        return Err(MergeError::MixedWorldSizes {
            dir: shown,
            first: world_size,
            other: *other,
        });
    }
    let missing: Vec<u32> = (0..world_size)
        .filter(|r| !ranks.iter().any(|(rank, _, _)| rank == r))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Unfinished {
            missing,
            world_size,
        });
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
        return Err(MergeError::Unbalanced {
            read: s.read,
            accounted,
        });
    }
    let seconds = merged.wall_seconds.max(1e-9);
    merged.docs_per_second = s.read as f64 / seconds;
    merged.mb_per_second = s.bytes_in as f64 / 1e6 / seconds;
    let json = serde_json::to_vec_pretty(&merged).expect("report serializes");
    layout
        .store()
        .write(&layout.stats_path(), &json)
        .map_err(io_error(layout.stats_path().display().to_string()))?;
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
