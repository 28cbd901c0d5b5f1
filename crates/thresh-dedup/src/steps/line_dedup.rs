//! `line_dedup`: removes lines (or paragraphs) found in at least `min_count` documents of the
//! corpus — or of each group of `group_files` input files, as cc_net groups shards — keeping
//! them in the first such document by default (as dolma's paragraph deduplication and cc_net
//! keep the first copy). Documents are counted, not occurrences, so a line repeated inside one
//! page (a table column) is left to the repetition filters; units with fewer than `min_words`
//! words with a letter after normalization are never removed (numbers, single-word cells). Site boilerplate
//! that follows every article of a site ("Related posts", image credits) goes; articles stay.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead};

use serde::Deserialize;
use serde_json::json;
use thresh_core::{Barrier, BarrierError, BarrierWork, Document, Step, StepCx, Verdict, WorkUnit};
use xxhash_rust::xxh3::xxh3_64;

use crate::decisions::{self, Decisions};
use crate::normalize::TextNorm;
use crate::observation;

/// What a unit of text is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A line (`\n`-separated).
    #[default]
    Line,
    /// A paragraph (separated by blank lines).
    Paragraph,
}

/// Parameters of `line_dedup`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LineDedupParams {
    /// Lines or paragraphs.
    pub unit: Unit,
    /// A unit is a duplicate when its normalized text is found in at least this many documents.
    pub min_count: u32,
    /// Keep the unit in the first document (input order) that has it.
    pub keep_first: bool,
    /// Units with fewer words (with a letter) than this after normalization are never removed.
    pub min_words: usize,
    /// Count within groups of this many consecutive input files (0: the whole corpus). Groups
    /// hold whole work units (`[input] unit_files` / `unit_bytes`): a unit is never split, so
    /// a group may hold fewer files, or one unit more.
    pub group_files: u32,
    /// Drop a document left with fewer characters than this.
    pub min_chars: usize,
    /// Normalization before hashing (datatrove's `simplify_text` switches, all on).
    #[serde(flatten)]
    pub norm: TextNorm,
}

impl Default for LineDedupParams {
    fn default() -> Self {
        LineDedupParams {
            unit: Unit::Line,
            min_count: 2,
            keep_first: true,
            min_words: 2,
            group_files: 0,
            min_chars: 1,
            norm: TextNorm::default(),
        }
    }
}

/// The `line_dedup` step.
pub struct LineDedup {
    params: LineDedupParams,
    decisions: Decisions<Vec<u32>>,
}

/// Key of a unit whose normalized text is empty: never counted.
const EMPTY: u64 = 0;

impl LineDedup {
    /// A step with the given parameters.
    pub fn new(params: LineDedupParams) -> Self {
        LineDedup {
            params,
            decisions: Decisions::new(read_removals),
        }
    }

    /// The units of `text`, in order.
    pub fn units<'a>(&self, text: &'a str) -> Vec<&'a str> {
        match self.params.unit {
            Unit::Line => text.split('\n').collect(),
            Unit::Paragraph => text
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .collect(),
        }
    }

    fn separator(&self) -> &'static str {
        match self.params.unit {
            Unit::Line => "\n",
            Unit::Paragraph => "\n\n",
        }
    }

    /// The key of one unit ([`EMPTY`] for a unit too short to be removed).
    pub fn key(&self, unit: &str, buf: &mut String) -> u64 {
        let normalized = self.params.norm.apply(unit, buf);
        let words = normalized
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        if words < self.params.min_words.max(1) {
            EMPTY
        } else {
            xxh3_64(normalized.as_bytes()).max(1)
        }
    }
}

/// Decisions of one work unit: `record u64, count u32, unit indices u32…` each.
fn write_removals(path: &std::path::Path, removals: &[(u64, Vec<u32>)]) -> io::Result<()> {
    let mut out = Vec::new();
    for (record, units) in removals {
        out.extend_from_slice(&record.to_le_bytes());
        out.extend_from_slice(&(units.len() as u32).to_le_bytes());
        for u in units {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
    thresh_io::store::atomic::write_atomic(path, &out)
}

fn read_removals(bytes: &[u8]) -> io::Result<HashMap<u64, Vec<u32>>> {
    let mut fields = decisions::Fields::new(bytes);
    let mut map = HashMap::new();
    while !fields.is_empty() {
        let record = fields.u64()?;
        let count = fields.u32()?;
        let units = (0..count)
            .map(|_| fields.u32())
            .collect::<io::Result<Vec<u32>>>()?;
        map.insert(record, units);
    }
    Ok(map)
}

impl Step for LineDedup {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let remove = match self.decisions.lookup(doc.origin.file, doc.origin.record) {
            Ok(Some(remove)) => remove,
            Ok(None) => return Verdict::Keep,
            Err(message) => {
                doc.step_annotations(&cx.name)
                    .insert("error".into(), message.into());
                return Verdict::Keep;
            }
        };
        let units = self.units(&doc.text);
        let removed: HashSet<u32> = remove.iter().copied().collect();
        let kept: Vec<&str> = units
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(&(*i as u32)))
            .map(|(_, u)| *u)
            .collect();
        let text = kept.join(self.separator());
        doc.step_annotations(&cx.name)
            .insert("units_removed".into(), removed.len().into());
        doc.text = text;
        let chars = doc.text.trim().chars().count();
        if chars < self.params.min_chars {
            return Verdict::drop(format_args!(
                "too_short_after_line_dedup {chars} < {}",
                self.params.min_chars
            ));
        }
        Verdict::Keep
    }

    fn barrier(&self) -> Option<&dyn Barrier> {
        Some(self)
    }
}

impl Barrier for LineDedup {
    fn observe(&self, doc: &Document, out: &mut Vec<u8>) {
        let mut buf = String::new();
        let keys: Vec<u64> = self
            .units(&doc.text)
            .iter()
            .map(|u| self.key(u, &mut buf))
            .collect();
        observation::write(out, doc.origin.record, &doc.id, &keys);
    }

    fn resolve(&self, work: &BarrierWork) -> Result<serde_json::Value, BarrierError> {
        let err = |path: &std::path::Path, e: io::Error| BarrierError::io(path)(e);
        let (mut units, mut removed_units, mut docs_changed) = (0u64, 0u64, 0u64);
        let mut top: Vec<(u32, u64)> = Vec::new();
        for group in groups(&work.units, self.params.group_files) {
            // Count the documents having each unit; remember the first of them.
            let mut counts: HashMap<u64, (u32, u32, u64)> = HashMap::new();
            let mut distinct: Vec<u64> = Vec::new();
            for file in group.iter().map(|u| u.id) {
                let path = work.observations(file);
                observation::read_all(&path, |obs| {
                    distinct.clear();
                    distinct.extend(obs.keys.iter().copied().filter(|&k| k != EMPTY));
                    distinct.sort_unstable();
                    distinct.dedup();
                    for &key in &distinct {
                        counts.entry(key).or_insert((0, file, obs.record)).0 += 1;
                    }
                })
                .map_err(|e| err(&path, e))?;
            }
            for (&key, &(count, ..)) in &counts {
                if count >= self.params.min_count {
                    top.push((count, key));
                }
            }
            for file in group.iter().map(|u| u.id) {
                let path = work.observations(file);
                let mut removals = Vec::new();
                observation::read_all(&path, |obs| {
                    units += obs.keys.len() as u64;
                    let remove: Vec<u32> = obs
                        .keys
                        .iter()
                        .enumerate()
                        .filter(|&(_, key)| match counts.get(key) {
                            Some(&(count, f, record)) if count >= self.params.min_count => {
                                !(self.params.keep_first && (f, record) == (file, obs.record))
                            }
                            _ => false,
                        })
                        .map(|(i, _)| i as u32)
                        .collect();
                    if !remove.is_empty() {
                        removed_units += remove.len() as u64;
                        docs_changed += 1;
                        removals.push((obs.record, remove));
                    }
                })
                .map_err(|e| err(&path, e))?;
                let out = work.decisions(file);
                write_removals(&out, &removals).map_err(|e| err(&out, e))?;
            }
        }
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.truncate(10);
        let examples = self.examples(work, &top);
        let top: Vec<serde_json::Value> = top
            .iter()
            .map(|(count, key)| json!({"count": count, "text": examples.get(key)}))
            .collect();
        Ok(json!({
            "units": units,
            "units_removed": removed_units,
            "documents_changed": docs_changed,
            "top_duplicated": top,
        }))
    }

    fn open(&self, work: &BarrierWork) -> Result<(), BarrierError> {
        self.decisions.open(work)
    }

    fn release(&self, file: u32) {
        self.decisions.release(file);
    }
}

impl LineDedup {
    /// The text of the most repeated units, read back from the documents set aside (the most
    /// frequent are found in the first few files).
    fn examples(&self, work: &BarrierWork, top: &[(u32, u64)]) -> HashMap<u64, String> {
        let mut wanted: HashSet<u64> = top.iter().map(|(_, k)| *k).collect();
        let mut found = HashMap::new();
        let mut buf = String::new();
        let Ok(entries) = std::fs::read_dir(&work.staged) else {
            return found;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if wanted.is_empty() {
                break;
            }
            let Ok((reader, _)) = thresh_io::compression::open_decompressed(&path) else {
                continue;
            };
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                let Some(text) = value.get("text").and_then(|t| t.as_str()) else {
                    continue;
                };
                for unit in self.units(text) {
                    let key = self.key(unit, &mut buf);
                    if wanted.remove(&key) {
                        found.insert(key, unit.trim().chars().take(120).collect());
                    }
                }
                if wanted.is_empty() {
                    break;
                }
            }
        }
        found
    }
}

/// The work units in groups of at most `group_files` input files (0: one group); a unit is
/// never split, so a unit larger than the limit is a group of its own.
fn groups(units: &[WorkUnit], group_files: u32) -> Vec<&[WorkUnit]> {
    if group_files == 0 {
        return vec![units];
    }
    let (mut out, mut start, mut files) = (Vec::new(), 0, 0u64);
    for (i, unit) in units.iter().enumerate() {
        if i > start && files + u64::from(unit.files) > u64::from(group_files) {
            out.push(&units[start..i]);
            (start, files) = (i, 0);
        }
        files += u64::from(unit.files);
    }
    if start < units.len() {
        out.push(&units[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_hold_whole_units_up_to_the_file_limit() {
        let u = |id, files| WorkUnit { id, files };
        let units = [u(0, 2), u(2, 2), u(4, 5), u(9, 1), u(10, 1)];
        let ids = |g: Vec<&[WorkUnit]>| -> Vec<Vec<u32>> {
            g.iter().map(|g| g.iter().map(|u| u.id).collect()).collect()
        };
        assert_eq!(ids(groups(&units, 0)), vec![vec![0, 2, 4, 9, 10]]);
        // 2 + 2 fit in 4; the unit of 5 is a group of its own; 1 + 1 fit.
        assert_eq!(
            ids(groups(&units, 4)),
            vec![vec![0, 2], vec![4], vec![9, 10]]
        );
        assert_eq!(ids(groups(&units, 1)).len(), 5);
        assert!(groups(&[], 3).is_empty());
    }

    #[test]
    fn units_are_lines_or_paragraphs_and_keys_normalize() {
        let step = LineDedup::new(LineDedupParams::default());
        assert_eq!(step.units("a\nb\n\nc"), vec!["a", "b", "", "c"]);
        let paragraphs = LineDedup::new(LineDedupParams {
            unit: Unit::Paragraph,
            ..Default::default()
        });
        assert_eq!(
            paragraphs.units("a\nb\n\nc\n\n\n\nd"),
            vec!["a\nb", "c", "d"]
        );
        let mut buf = String::new();
        assert_eq!(
            step.key("Related posts:", &mut buf),
            step.key("  related POSTS ", &mut buf)
        );
        assert_eq!(step.key(" — ", &mut buf), EMPTY);
        assert_eq!(step.key("82%", &mut buf), EMPTY, "one word");
        assert_ne!(step.key("Share this", &mut buf), EMPTY);
        assert_eq!(step.key("2008 - 2012", &mut buf), EMPTY, "no letters");
    }

    #[test]
    fn removals_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.bin");
        write_removals(&path, &[(3, vec![0, 2]), (9, vec![5])]).unwrap();
        let map = read_removals(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(map[&3], vec![0, 2]);
        assert_eq!(map[&9], vec![5]);
    }
}
