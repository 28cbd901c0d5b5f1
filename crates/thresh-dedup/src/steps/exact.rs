//! `exact_dedup`: drops documents whose normalized text is identical to an earlier one's (by
//! input order); the first of each group survives.

use serde::Deserialize;
use thresh_core::{Barrier, BarrierError, BarrierWork, Document, Step, StepCx, Verdict};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::decisions::{self, Decisions, Duplicate};
use crate::normalize::TextNorm;
use crate::{cluster, observation};

/// Parameters of `exact_dedup`: which differences do not count.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExactDedupParams {
    /// Ignore case.
    pub lowercase: bool,
    /// Ignore how much whitespace, and of which kind, separates words.
    pub norm_whitespace: bool,
    /// Ignore punctuation (datatrove's punctuation set).
    pub remove_punctuation: bool,
    /// Ignore numbers (every number counts as `0`).
    pub norm_numbers: bool,
    /// Ignore diacritics.
    pub norm_unicode_diacritics: bool,
    /// Memory for sorting at the barrier; beyond it, sorted runs spill to disk and are merged.
    pub max_memory_mb: usize,
    /// An annotation (`thresh.<group_by>`, e.g. `"lang"`) that separates the documents:
    /// copies in different groups are not duplicates of each other.
    pub group_by: Option<String>,
}

impl Default for ExactDedupParams {
    fn default() -> Self {
        ExactDedupParams {
            lowercase: true,
            norm_whitespace: true,
            remove_punctuation: false,
            norm_numbers: false,
            norm_unicode_diacritics: false,
            max_memory_mb: 4096,
            group_by: None,
        }
    }
}

/// The `exact_dedup` step.
pub struct ExactDedup {
    norm: TextNorm,
    group_by: Option<String>,
    memory_mb: usize,
    decisions: Decisions<Duplicate>,
}

impl ExactDedup {
    /// A step with the given parameters.
    pub fn new(p: ExactDedupParams) -> Self {
        ExactDedup {
            memory_mb: p.max_memory_mb,
            group_by: p.group_by,
            norm: TextNorm {
                lowercase: p.lowercase,
                norm_numbers: p.norm_numbers,
                remove_punctuation: p.remove_punctuation,
                norm_whitespace: p.norm_whitespace,
                norm_unicode_diacritics: p.norm_unicode_diacritics,
            },
            decisions: Decisions::new(decisions::read),
        }
    }

    /// The 64-bit hash of `text` after normalization, within group `group` (0: none).
    pub fn key(&self, text: &str, group: u64) -> u64 {
        xxh3_64_with_seed(self.norm.apply(text, &mut String::new()).as_bytes(), group)
    }
}

impl Step for ExactDedup {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        crate::apply(&self.decisions, doc, cx, "exact_duplicate", false)
    }

    fn barrier(&self) -> Option<&dyn Barrier> {
        Some(self)
    }
}

impl Barrier for ExactDedup {
    fn observe(&self, doc: &Document, out: &mut Vec<u8>) {
        let group = crate::group_seed(self.group_by.as_deref(), doc);
        observation::write(
            out,
            doc.origin.record,
            &doc.id,
            &[self.key(&doc.text, group)],
        );
    }

    fn resolve(&self, work: &BarrierWork) -> Result<serde_json::Value, BarrierError> {
        let banding = cluster::Banding {
            bands: 1,
            width: 1,
            survivor: cluster::Survivor::First,
            memory_mb: self.memory_mb,
            survivors: false,
        };
        cluster::resolve(work, banding, None)
    }

    fn open(&self, work: &BarrierWork) -> Result<(), BarrierError> {
        self.decisions.open(work)
    }

    fn release(&self, file: u32) {
        self.decisions.release(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_changes_the_key_and_no_group_is_the_unseeded_hash() {
        let step = ExactDedup::new(ExactDedupParams::default());
        // Seed 0 is XXH3's default: keys without group_by are those of before.
        assert_eq!(
            step.key("hello world", 0),
            xxhash_rust::xxh3::xxh3_64(b"hello world")
        );
        let mut de = Document::new("a", "x");
        de.annotations.insert("lang".into(), "de".into());
        let mut en = de.clone();
        en.annotations.insert("lang".into(), "en".into());
        let seed = |d: &Document| crate::group_seed(Some("lang"), d);
        assert_ne!(seed(&de), seed(&en));
        assert_ne!(seed(&de), 0);
        assert_eq!(crate::group_seed(None, &de), 0);
        assert_ne!(
            step.key("hello world", seed(&de)),
            step.key("hello world", seed(&en))
        );
    }

    #[test]
    fn keys_ignore_case_and_whitespace_by_default_and_what_is_configured() {
        let step = ExactDedup::new(ExactDedupParams::default());
        assert_eq!(step.key("Hello  World\n", 0), step.key("hello world", 0));
        assert_ne!(step.key("hello, world", 0), step.key("hello world", 0));
        let loose = ExactDedup::new(ExactDedupParams {
            remove_punctuation: true,
            norm_numbers: true,
            ..Default::default()
        });
        assert_eq!(
            loose.key("Hello, world 2024!", 0),
            loose.key("hello world 1999", 0)
        );
        let strict = ExactDedup::new(ExactDedupParams {
            lowercase: false,
            norm_whitespace: false,
            ..Default::default()
        });
        assert_ne!(strict.key("Hello", 0), strict.key("hello", 0));
    }
}
