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

/// One statistic over documents, as datatrove's `MetricStats` keeps it: count, total, mean,
/// unbiased variance (Welford's running sum, mergeable), minimum, maximum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "MetricFields", into = "MetricFields")]
pub struct Metric {
    /// Values added.
    pub n: u64,
    /// Their sum.
    pub total: f64,
    /// Their mean.
    pub mean: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    running_variance: f64,
}

/// How a [`Metric`] is written: datatrove's field names.
#[derive(Serialize, Deserialize)]
struct MetricFields {
    n: u64,
    total: f64,
    mean: f64,
    variance: f64,
    std_dev: f64,
    min: f64,
    max: f64,
}

impl From<Metric> for MetricFields {
    fn from(m: Metric) -> Self {
        MetricFields {
            n: m.n,
            total: m.total,
            mean: m.mean,
            variance: m.variance(),
            std_dev: m.variance().sqrt(),
            min: m.min,
            max: m.max,
        }
    }
}

impl From<MetricFields> for Metric {
    fn from(f: MetricFields) -> Self {
        Metric {
            n: f.n,
            total: f.total,
            mean: f.mean,
            min: f.min,
            max: f.max,
            running_variance: f.variance * f.n.saturating_sub(1) as f64,
        }
    }
}

impl Default for Metric {
    fn default() -> Self {
        Metric {
            n: 0,
            total: 0.0,
            mean: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            running_variance: 0.0,
        }
    }
}

impl Metric {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.total += x;
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        if self.n > 1 {
            self.running_variance += delta * (x - self.mean);
        }
    }

    /// Adds another metric's values (Chan's parallel formula, as datatrove merges).
    pub fn merge(&mut self, other: &Metric) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = self.mean - other.mean;
        self.running_variance +=
            other.running_variance + delta * delta * self.n as f64 * other.n as f64 / n as f64;
        self.mean = (self.n as f64 * self.mean + other.n as f64 * other.mean) / n as f64;
        self.n = n;
        self.total += other.total;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The unbiased variance (0 for fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.n > 1 {
            self.running_variance / (self.n - 1) as f64
        } else {
            0.0
        }
    }
}

/// A `doc_stats` step's statistics as datatrove's stats blocks group them: by group
/// (`summary`, `histogram`, `fqdn`, `suffix`), by statistic, by key (`summary`; the rounded
/// value; the host; the public suffix).
pub type StatGroups = BTreeMap<String, BTreeMap<String, BTreeMap<String, Metric>>>;

/// How many hosts or suffixes a group keeps per statistic: when a merge leaves more than
/// twice this, the keys with the fewest documents go (datatrove keeps the top 100,000 when it
/// writes; thresh bounds its memory while it runs).
pub const TOP_K_GROUP_KEYS: usize = 10_000;

/// Adds `other` into `groups`, keeping each `fqdn` and `suffix` statistic to at most twice
/// [`TOP_K_GROUP_KEYS`] keys.
pub fn merge_groups(groups: &mut StatGroups, other: &StatGroups) {
    for (group, stats) in other {
        let mine = groups.entry(group.clone()).or_default();
        for (stat, keys) in stats {
            let m = mine.entry(stat.clone()).or_default();
            for (key, metric) in keys {
                m.entry(key.clone()).or_default().merge(metric);
            }
            if (group == "fqdn" || group == "suffix") && m.len() > 2 * TOP_K_GROUP_KEYS {
                let mut counts: Vec<u64> = m.values().map(|v| v.n).collect();
                counts.sort_unstable_by(|a, b| b.cmp(a));
                let floor = counts[TOP_K_GROUP_KEYS - 1];
                // Keys above the floor all stay; ties at the floor fill the rest, in key order.
                let mut ties = TOP_K_GROUP_KEYS - counts.iter().filter(|&&n| n > floor).count();
                m.retain(|_, v| {
                    if v.n > floor {
                        return true;
                    }
                    let keep = v.n == floor && ties > 0;
                    ties -= usize::from(keep);
                    keep
                });
            }
        }
    }
}

/// Document accounting: `read = kept + dropped + errored`, always.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// The statistics of each `doc_stats` step (by step name), grouped as datatrove groups
    /// them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub doc_stats: BTreeMap<String, StatGroups>,
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
        for (step, groups) in &other.doc_stats {
            merge_groups(self.doc_stats.entry(step.clone()).or_default(), groups);
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
    fn metrics_add_and_merge_as_datatrove() {
        // 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
        let mut a = Metric::default();
        let mut b = Metric::default();
        a.add(1.0);
        a.add(2.0);
        b.add(3.0);
        b.add(4.0);
        a.merge(&b);
        assert_eq!(
            (a.n, a.total, a.mean, a.min, a.max),
            (4, 10.0, 2.5, 1.0, 4.0)
        );
        assert!((a.variance() - 5.0 / 3.0).abs() < 1e-12);
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json["n"], 4);
        let back: Metric = serde_json::from_value(json).unwrap();
        assert!((back.variance() - a.variance()).abs() < 1e-12);
    }

    #[test]
    fn host_groups_stay_bounded() {
        let mut groups = StatGroups::new();
        let mut big = StatGroups::new();
        let keys = big
            .entry("fqdn".into())
            .or_default()
            .entry("length".into())
            .or_default();
        for i in 0..(2 * TOP_K_GROUP_KEYS + 5) {
            let mut m = Metric::default();
            m.add(1.0);
            if i < 3 {
                m.add(1.0);
            }
            keys.insert(format!("host{i}"), m);
        }
        merge_groups(&mut groups, &big);
        let kept = &groups["fqdn"]["length"];
        assert_eq!(kept.len(), TOP_K_GROUP_KEYS);
        assert!(["host0", "host1", "host2"]
            .iter()
            .all(|h| kept.contains_key(*h)));
    }

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
