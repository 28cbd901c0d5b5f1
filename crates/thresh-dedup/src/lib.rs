//! # thresh-dedup
//!
//! Deduplication steps. They are barrier steps ([`thresh_core::Barrier`]): every document
//! that reaches them is observed first, the step resolves once over the whole corpus, and
//! the next pass drops the duplicates, each annotated with its cluster and its survivor.

#![warn(missing_docs)]

mod cluster;
mod decisions;
mod mt19937;
mod normalize;
mod observation;
mod steps;
mod union_find;

use thresh_core::{Document, StepCx, StepRegistry, Verdict};

use steps::{exact, line_dedup, minhash};

/// The seed that keeps the observations of `doc`'s group apart: 0 without `group_by`, else a
/// hash of the annotation `thresh.<group_by>` (its text, or its JSON for other values; a
/// document without it is a group of its own kind, `null`).
fn group_seed(group_by: Option<&str>, doc: &Document) -> u64 {
    let Some(key) = group_by else {
        return 0;
    };
    let value = match doc.annotations.get(key) {
        Some(serde_json::Value::String(text)) => format!("s{text}"),
        Some(other) => format!("j{other}"),
        None => "null".into(),
    };
    xxhash_rust::xxh3::xxh3_64(value.as_bytes()) | 1
}

/// After the barrier: drops `doc` when the step decided it is a duplicate, annotating
/// `thresh.<step>` with its cluster, the cluster's size and the survivor's id. With `sizes`,
/// a kept document is annotated with its cluster's size (1 when it has no duplicates).
fn apply(
    decisions: &decisions::Decisions<decisions::Duplicate>,
    doc: &mut Document,
    cx: &StepCx,
    reason: &str,
    sizes: bool,
) -> Verdict {
    match decisions.lookup(doc.origin.file, doc.origin.record) {
        Ok(None) => {
            if sizes {
                doc.step_annotations(&cx.name)
                    .insert("cluster_size".into(), 1.into());
            }
            Verdict::Keep
        }
        Ok(Some(dup)) if dup.kept => {
            let note = doc.step_annotations(&cx.name);
            note.insert("cluster".into(), dup.cluster.into());
            note.insert("cluster_size".into(), dup.size.into());
            Verdict::Keep
        }
        Ok(Some(dup)) => {
            let note = doc.step_annotations(&cx.name);
            note.insert("cluster".into(), dup.cluster.into());
            note.insert("cluster_size".into(), dup.size.into());
            note.insert("duplicate_of".into(), dup.survivor.clone().into());
            Verdict::drop(format_args!(
                "{reason} of {} (cluster of {})",
                dup.survivor, dup.size
            ))
        }
        Err(message) => {
            doc.step_annotations(&cx.name)
                .insert("error".into(), message.into());
            Verdict::Keep
        }
    }
}

/// Registers `exact_dedup`, `minhash_dedup` and `line_dedup`.
pub fn register(registry: &mut StepRegistry) {
    registry.register(
        "exact_dedup",
        "drop documents whose normalized text equals an earlier one's",
        |c| Ok(Box::new(exact::ExactDedup::new(c.parse()?))),
    );
    registry.register(
        "line_dedup",
        "remove lines (or paragraphs) repeated across the corpus, keeping the first",
        |c| Ok(Box::new(line_dedup::LineDedup::new(c.parse()?))),
    );
    registry.register(
        "minhash_dedup",
        "drop near-duplicates (MinHash LSH, datatrove's settings), one survivor per cluster",
        |c| {
            minhash::MinhashDedup::new(c.parse()?)
                .map(|s| Box::new(s) as Box<dyn thresh_core::Step>)
                .map_err(|message| thresh_core::ConfigError::Invalid {
                    context: format!("step `{}`", c.name),
                    message,
                })
        },
    );
}
