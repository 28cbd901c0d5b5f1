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

/// After the barrier: drops `doc` when the step decided it is a duplicate, annotating
/// `thresh.<step>` with its cluster, the cluster's size and the survivor's id.
fn apply(
    decisions: &decisions::Decisions<decisions::Duplicate>,
    doc: &mut Document,
    cx: &StepCx,
    reason: &str,
) -> Verdict {
    match decisions.lookup(doc.origin.file, doc.origin.record) {
        Ok(None) => Verdict::Keep,
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
