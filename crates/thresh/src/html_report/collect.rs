//! Reading an output directory for the report: `stats.json` (exact counts), `errors.jsonl`,
//! and a bounded sample of the kept and dropped documents — shards taken evenly across the
//! directory until a document budget is spent, each document reduced to what the report
//! shows (its signals, length, language, domain, and for a few per drop reason the first lines).

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::report::RunReport;

/// Sampled documents kept per drop reason, to show.
const EXAMPLES_PER_REASON: usize = 4;

/// One signal of one step: values of documents it let through and of those it dropped or
/// flagged, and the limit in force (`< 50`), when the step states it.
#[derive(Default)]
pub struct Signal {
    pub kept: Vec<f64>,
    pub dropped: Vec<f64>,
    pub limit: Option<(String, f64)>,
}

/// A document shown for its drop reason.
pub struct Example {
    pub id: String,
    pub reason: String,
    pub head: String,
}

/// Where documents were sampled from.
#[derive(Default, Clone, Copy)]
pub struct Coverage {
    pub files: usize,
    pub files_read: usize,
    pub documents: u64,
}

/// What the report is made of.
pub struct Collected {
    pub stats: RunReport,
    pub kept: Coverage,
    pub dropped: Coverage,
    /// By step name (in pipeline order), by signal name.
    pub signals: Vec<(String, BTreeMap<String, Signal>)>,
    /// Sampled documents by language: (documents, characters).
    pub languages: BTreeMap<String, (u64, u64)>,
    /// Language scores of sampled documents.
    pub lang_scores: Vec<f64>,
    /// Sampled documents by domain, kept and dropped.
    pub domains_kept: HashMap<String, u64>,
    pub domains_dropped: HashMap<String, u64>,
    /// Characters of sampled kept and dropped documents.
    pub length_kept: Vec<f64>,
    pub length_dropped: Vec<f64>,
    /// By `step: reason name`.
    pub examples: BTreeMap<String, Vec<Example>>,
    /// Errors by kind (the message's first words) and by file.
    pub errors_by_kind: BTreeMap<String, u64>,
    pub errors_by_file: BTreeMap<String, u64>,
    /// Shards of a format the report cannot read (token shards).
    pub unreadable: usize,
}

/// Every shard file under `dir`, sorted (hidden and temporary files left out, links not
/// followed).
fn shard_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => shard_files(&entry.path(), out),
            Ok(t) if t.is_file() => out.push(entry.path()),
            _ => {}
        }
    }
}

fn is_jsonl(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".jsonl") || name.ends_with(".jsonl.zst") || name.ends_with(".jsonl.gz")
}

/// The files to read from `all`, spread evenly, in the order that covers the directory
/// best: 0, n/2, n/4, 3n/4, … (so a budget that stops early has still seen every part).
fn spread(n: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut step = n.next_power_of_two();
    while step > 0 {
        let mut i = 0;
        while i < n {
            if !seen[i] {
                seen[i] = true;
                order.push(i);
            }
            i += step;
        }
        step /= 2;
    }
    order
}

/// The registered domain-ish host of a URL: its host without `www.`.
fn domain(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

/// `< 50` → (`<`, 50).
fn parse_limit(text: &str) -> Option<(String, f64)> {
    let (op, value) = text.trim().split_once(' ')?;
    Some((op.to_owned(), value.trim().parse().ok()?))
}

impl Collected {
    /// Reads `output` with at most `budget` sampled documents each of kept and dropped ones;
    /// `progress` is told each file read (files read, files to read).
    pub fn read(
        output: &Path,
        budget: u64,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Collected, String> {
        let stats = RunReport::load(&output.to_string_lossy()).map_err(|e| e.to_string())?;
        let mut c = Collected {
            signals: stats
                .stats
                .steps
                .iter()
                .map(|s| (s.name.clone(), BTreeMap::new()))
                .collect(),
            stats,
            kept: Coverage::default(),
            dropped: Coverage::default(),
            languages: BTreeMap::new(),
            lang_scores: Vec::new(),
            domains_kept: HashMap::new(),
            domains_dropped: HashMap::new(),
            length_kept: Vec::new(),
            length_dropped: Vec::new(),
            examples: BTreeMap::new(),
            errors_by_kind: BTreeMap::new(),
            errors_by_file: BTreeMap::new(),
            unreadable: 0,
        };
        let mut plan = Vec::new();
        for (sub, is_kept) in [("kept", true), ("dropped", false)] {
            let mut files = Vec::new();
            shard_files(&output.join(sub), &mut files);
            files.sort();
            let (readable, other): (Vec<PathBuf>, Vec<PathBuf>) =
                files.into_iter().partition(|f| is_jsonl(f));
            c.unreadable += other
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "ds" || e == "bin"))
                .count();
            let coverage = if is_kept { &mut c.kept } else { &mut c.dropped };
            coverage.files = readable.len();
            plan.push((readable, is_kept));
        }
        let total: usize = plan.iter().map(|(f, _)| f.len()).sum();
        let mut done = 0;
        for (files, is_kept) in plan {
            for i in spread(files.len()) {
                let coverage = if is_kept { c.kept } else { c.dropped };
                if coverage.documents >= budget {
                    break;
                }
                c.read_shard(&files[i], is_kept, budget)?;
                if is_kept {
                    c.kept.files_read += 1;
                } else {
                    c.dropped.files_read += 1;
                }
                done += 1;
                progress(done, total);
            }
        }
        c.read_errors(&output.join("errors.jsonl"));
        Ok(c)
    }

    fn read_shard(&mut self, path: &Path, is_kept: bool, budget: u64) -> Result<(), String> {
        let (reader, _) = thresh_io::compression::open_decompressed(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for line in reader.split(b'\n') {
            let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
            if line.is_empty() {
                continue;
            }
            let Ok(doc) = serde_json::from_slice::<Value>(&line) else {
                continue;
            };
            self.add(&doc, is_kept);
            let coverage = if is_kept {
                &mut self.kept
            } else {
                &mut self.dropped
            };
            coverage.documents += 1;
            if coverage.documents >= budget {
                break;
            }
        }
        Ok(())
    }

    fn add(&mut self, doc: &Value, is_kept: bool) {
        let text = doc["text"].as_str().unwrap_or_default();
        let chars = text.chars().count() as f64;
        let thresh = &doc["thresh"];
        let dropped_by = thresh["dropped_by"].as_str();
        if is_kept {
            self.length_kept.push(chars);
        } else {
            self.length_dropped.push(chars);
        }
        let lang = thresh["lang"].as_str().unwrap_or("und").to_owned();
        let entry = self.languages.entry(lang).or_default();
        entry.0 += 1;
        entry.1 += chars as u64;
        if let Some(score) = thresh["lang_score"].as_f64() {
            self.lang_scores.push(score);
        }
        let url = doc["url"]
            .as_str()
            .or_else(|| doc["metadata"]["url"].as_str());
        if let Some(d) = url.and_then(domain) {
            let map = if is_kept {
                &mut self.domains_kept
            } else {
                &mut self.domains_dropped
            };
            *map.entry(d).or_default() += 1;
        }
        for (step, signals) in &mut self.signals {
            let Some(Value::Object(note)) = thresh.get(step.as_str()) else {
                continue;
            };
            let flagged = note.contains_key("would_drop") || dropped_by == Some(step.as_str());
            for (key, value) in note {
                let Some(v) = value
                    .as_f64()
                    .or_else(|| value.as_bool().map(|b| f64::from(u8::from(b))))
                else {
                    continue;
                };
                let signal = signals.entry(key.clone()).or_default();
                if signal.limit.is_none() {
                    signal.limit = note
                        .get("limits")
                        .and_then(|l| l.get(key))
                        .and_then(Value::as_str)
                        .and_then(parse_limit);
                }
                if flagged {
                    signal.dropped.push(v);
                } else {
                    signal.kept.push(v);
                }
            }
        }
        if let (Some(step), Some(reason)) = (dropped_by, thresh["reason"].as_str()) {
            let name = reason.split_whitespace().next().unwrap_or_default();
            let examples = self.examples.entry(format!("{step}: {name}")).or_default();
            if examples.len() < EXAMPLES_PER_REASON {
                let head: String = text.lines().take(4).collect::<Vec<_>>().join("\n");
                examples.push(Example {
                    id: doc["id"].as_str().unwrap_or_default().to_owned(),
                    reason: reason.to_owned(),
                    head: crate::html_report::svg::truncate(&head, 400),
                });
            }
        }
    }

    fn read_errors(&mut self, path: &Path) {
        let Ok(file) = std::fs::File::open(path) else {
            return;
        };
        for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
            let Ok(e) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let message = e["message"].as_str().unwrap_or("unknown");
            let kind: String = message
                .split(':')
                .next()
                .unwrap_or(message)
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            *self.errors_by_kind.entry(kind).or_default() += 1;
            let file = e["file"].as_str().unwrap_or("?").to_owned();
            *self.errors_by_file.entry(file).or_default() += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_covers_every_file_once_starting_wide() {
        assert_eq!(spread(5), [0, 4, 2, 1, 3]);
        let mut all = spread(37);
        all.sort();
        assert_eq!(all, (0..37).collect::<Vec<_>>());
        assert!(spread(0).is_empty());
    }

    #[test]
    fn domains_and_limits() {
        assert_eq!(
            domain("https://www.Example.org:8080/a?b").as_deref(),
            Some("example.org")
        );
        assert_eq!(domain("http://user@host.de/").as_deref(), Some("host.de"));
        assert_eq!(parse_limit("< 50"), Some(("<".into(), 50.0)));
        assert_eq!(parse_limit("> 0.1"), Some((">".into(), 0.1)));
        assert_eq!(parse_limit("bogus"), None);
    }
}
