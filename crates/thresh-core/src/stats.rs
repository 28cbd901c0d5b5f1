//! [`Stats`]: the accounting of a run, additive so per-batch and per-file figures merge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Pipeline;

/// What happened in one step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStats {
    /// The step's configured name.
    pub name: String,
    /// The step's type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Documents that reached the step.
    pub seen: u64,
    /// Documents the step dropped.
    pub dropped: u64,
    /// Documents an annotate-mode step would have dropped (they were kept).
    pub flagged: u64,
    /// Documents whose text the step changed in length.
    pub modified: u64,
    /// Characters the step removed from texts (negative if it added some).
    pub chars_removed: i64,
    /// Drops (or flags, in annotate mode) by reason name.
    pub reasons: BTreeMap<String, u64>,
    /// Tokens of the documents that reached the step, as counted by a `tokens` step before it
    /// (or by the step itself): the `thresh.tokens` annotation.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tokens_seen: u64,
    /// Tokens of the documents the step dropped.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tokens_dropped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl StepStats {
    /// Empty figures for the step `name` of type `ty`.
    pub fn named(name: &str, ty: &str) -> Self {
        StepStats {
            name: name.to_owned(),
            ty: ty.to_owned(),
            ..StepStats::default()
        }
    }
}

/// Document accounting: `read = kept + dropped + errored`, always.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Input records read, including those that could not be parsed.
    pub read: u64,
    /// Documents written to `kept/`.
    pub kept: u64,
    /// Records that could not be read or parsed (see `errors.jsonl`).
    pub errored: u64,
    /// Documents dropped, by step name.
    pub dropped: BTreeMap<String, u64>,
    /// Characters of text of the documents read.
    pub chars_in: u64,
    /// Characters of text of the documents kept.
    pub chars_out: u64,
    /// Uncompressed bytes of input consumed.
    pub bytes_in: u64,
    /// Per-step figures, in pipeline order.
    pub steps: Vec<StepStats>,
    /// Input records that are not documents, by kind (in web archives: requests, revisits,
    /// non-HTML responses, …); not part of `read`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    /// Tokens of the documents kept, by output partition (`""` when the output is not
    /// partitioned): the tokens written to token shards, or else the `thresh.tokens`
    /// annotation of the documents that have one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kept_tokens: BTreeMap<String, u64>,
}

impl Stats {
    /// Empty stats with one entry per step of `pipeline`.
    pub fn for_pipeline(pipeline: &Pipeline) -> Self {
        Stats {
            steps: pipeline
                .steps()
                .iter()
                .map(|s| StepStats::named(&s.name, &s.ty))
                .collect(),
            ..Stats::default()
        }
    }

    /// Total documents dropped by all steps.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// True when every record read is accounted for as kept, dropped or errored.
    pub fn balanced(&self) -> bool {
        self.read == self.kept + self.dropped_total() + self.errored
    }

    /// Adds `other` (stats of the same pipeline) into `self`.
    pub fn merge(&mut self, other: &Stats) {
        self.read += other.read;
        self.kept += other.kept;
        self.errored += other.errored;
        for (step, n) in &other.dropped {
            *self.dropped.entry(step.clone()).or_default() += n;
        }
        for (kind, n) in &other.skipped {
            *self.skipped.entry(kind.clone()).or_default() += n;
        }
        for (partition, n) in &other.kept_tokens {
            *self.kept_tokens.entry(partition.clone()).or_default() += n;
        }
        self.chars_in += other.chars_in;
        self.chars_out += other.chars_out;
        self.bytes_in += other.bytes_in;
        if self.steps.is_empty() {
            self.steps = other
                .steps
                .iter()
                .map(|s| StepStats::named(&s.name, &s.ty))
                .collect();
        }
        for (mine, theirs) in self.steps.iter_mut().zip(&other.steps) {
            mine.seen += theirs.seen;
            mine.dropped += theirs.dropped;
            mine.flagged += theirs.flagged;
            mine.modified += theirs.modified;
            mine.chars_removed += theirs.chars_removed;
            mine.tokens_seen += theirs.tokens_seen;
            mine.tokens_dropped += theirs.tokens_dropped;
            for (reason, n) in &theirs.reasons {
                *mine.reasons.entry(reason.clone()).or_default() += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_every_counter() {
        let mut a = Stats {
            read: 3,
            kept: 1,
            errored: 1,
            dropped: [("len".to_string(), 1)].into(),
            steps: vec![StepStats {
                name: "len".into(),
                dropped: 1,
                reasons: [("too_few_words".to_string(), 1)].into(),
                tokens_seen: 7,
                tokens_dropped: 2,
                ..StepStats::default()
            }],
            kept_tokens: [("de".to_string(), 5)].into(),
            ..Stats::default()
        };
        let b = a.clone();
        a.merge(&b);
        assert_eq!((a.read, a.kept, a.errored), (6, 2, 2));
        assert_eq!(a.dropped["len"], 2);
        assert_eq!(a.steps[0].reasons["too_few_words"], 2);
        assert_eq!((a.steps[0].tokens_seen, a.steps[0].tokens_dropped), (14, 4));
        assert_eq!(a.kept_tokens["de"], 10);
        assert!(a.balanced());
    }
}
