//! `stats.json`: the run's accounting plus timing, and its human summary table.

use std::fmt::Write as _;
use std::io;

use serde::{Deserialize, Serialize};
use thresh_core::Stats;

/// Why `stats.json` could not be loaded ([`RunReport::load`]).
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The file (or object) could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file or object, as shown.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// The file is not a run's `stats.json`.
    #[error("parsing {path}: {source}")]
    Parse {
        /// The file or object, as shown.
        path: String,
        /// The error.
        source: serde_json::Error,
    },
}

/// Input files of a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileCounts {
    /// Input files of the run.
    pub total: u64,
    /// Files processed by this invocation.
    pub processed: u64,
    /// Files finished by an earlier, interrupted invocation and skipped now.
    pub resumed: u64,
}

/// The content of `stats.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunReport {
    /// Document accounting over all input files (`read = kept + dropped + errored`).
    #[serde(flatten)]
    pub stats: Stats,
    /// Input files.
    pub files: FileCounts,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of this invocation.
    pub wall_seconds: f64,
    /// Documents read per second by this invocation.
    pub docs_per_second: f64,
    /// Uncompressed input megabytes (10^6 bytes) read per second by this invocation.
    pub mb_per_second: f64,
    /// What each barrier step (deduplication) found, by step name: clusters, sizes, top lines.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub barriers: serde_json::Map<String, serde_json::Value>,
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

impl RunReport {
    /// The `stats.json` of the output `location` (a directory, the file itself, or an
    /// object-store prefix).
    pub fn load(location: &str) -> Result<RunReport, StatsError> {
        let (shown, bytes) = if thresh_io::store::remote::is_remote(location) {
            let url = format!("{}/stats.json", location.trim_end_matches('/'));
            let bytes = match thresh_io::store::remote::Object::parse(&url)
                .and_then(|object| object.read())
            {
                Ok(bytes) => bytes,
                Err(source) => return Err(StatsError::Read { path: url, source }),
            };
            (url, bytes)
        } else {
            let path = std::path::Path::new(location);
            let path = if path.is_dir() {
                path.join("stats.json")
            } else {
                path.to_path_buf()
            };
            let bytes = std::fs::read(&path).map_err(|source| StatsError::Read {
                path: path.display().to_string(),
                source,
            })?;
            (path.display().to_string(), bytes)
        };
        serde_json::from_slice(&bytes).map_err(|source| StatsError::Parse {
            path: shown,
            source,
        })
    }

    /// A table for a terminal: totals, then one row per step.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        let mut out = String::new();
        let _ = writeln!(out, "documents  {:>14}  read", thousands(s.read));
        for (n, label) in [
            (s.kept, "kept"),
            (s.dropped_total(), "dropped"),
            (s.errored, "errored"),
        ] {
            let _ = writeln!(
                out,
                "           {:>14}  {label:<8} {:>7}",
                thousands(n),
                percent(n, s.read)
            );
        }
        let _ = writeln!(out, "characters {:>14}  in", thousands(s.chars_in));
        let _ = writeln!(
            out,
            "           {:>14}  out      {:>7}",
            thousands(s.chars_out),
            percent(s.chars_out, s.chars_in)
        );
        let _ = writeln!(
            out,
            "files      {:>14}  ({} processed now, {} resumed)",
            thousands(self.files.total),
            self.files.processed,
            self.files.resumed
        );
        let _ = writeln!(
            out,
            "time       {:>13.1}s  {:.0} docs/s, {:.1} MB/s on {} threads",
            self.wall_seconds, self.docs_per_second, self.mb_per_second, self.threads
        );
        if !s.steps.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{:<22} {:<16} {:>12} {:>12} {:>10} {:>14}  top reasons",
                "step", "type", "seen", "dropped", "flagged", "chars removed"
            );
            for st in &s.steps {
                let mut reasons: Vec<_> = st.reasons.iter().collect();
                reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let top: Vec<String> = reasons
                    .iter()
                    .take(3)
                    .map(|(r, n)| format!("{r} {}", thousands(**n)))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<22} {:<16} {:>12} {:>12} {:>10} {:>14}  {}",
                    st.name,
                    st.ty,
                    thousands(st.seen),
                    thousands(st.dropped),
                    thousands(st.flagged),
                    st.chars_removed,
                    top.join(", ")
                );
            }
        }
        for (name, summary) in &self.barriers {
            let _ = writeln!(out);
            let _ = writeln!(out, "{name}: {}", barrier_line(summary));
            if let Some(top) = summary.get("top_duplicated").and_then(|t| t.as_array()) {
                for line in top.iter().take(5) {
                    let _ = writeln!(
                        out,
                        "  {:>8}×  {}",
                        line["count"],
                        line["text"].as_str().unwrap_or("?")
                    );
                }
            }
        }
        out
    }
}

/// One line about a barrier step's summary: its counts, in the summary's order.
fn barrier_line(summary: &serde_json::Value) -> String {
    let Some(map) = summary.as_object() else {
        return summary.to_string();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "top_duplicated")
        .map(|(k, v)| match v {
            serde_json::Value::Number(n) => format!("{} {}", k.replace('_', " "), n),
            other => format!("{} {other}", k.replace('_', " ")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn stats_json_has_the_contract_keys() {
        let report = RunReport::default();
        let json = serde_json::to_value(&report).unwrap();
        for key in ["read", "kept", "errored", "dropped", "wall_seconds"] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert!(json["dropped"].is_object());
    }
}
