//! The [`Step`] trait: the unit of work of a pipeline.

use std::fmt;

use crate::Document;

/// Why a step dropped a document: a short human string whose first word is the reason's
/// name, e.g. `dup_line_frac 0.41 > 0.30`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// A reason from its full text; the first whitespace-separated word is its name.
    pub fn new(text: impl Into<String>) -> Self {
        Reason(text.into())
    }

    /// The reason's name: its first word (`dup_line_frac` for `dup_line_frac 0.41 > 0.30`).
    pub fn name(&self) -> &str {
        self.0.split_whitespace().next().unwrap_or("")
    }

    /// The full reason text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A step's decision about one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The document goes on to the next step.
    Keep,
    /// The document leaves the pipeline for the `dropped/` output.
    Drop(Reason),
}

impl Verdict {
    /// A drop verdict from formatted text, e.g. `Verdict::drop(format_args!("min_words {n} < {min}"))`.
    pub fn drop(reason: impl fmt::Display) -> Self {
        Verdict::Drop(Reason::new(reason.to_string()))
    }
}

/// What a step knows about its place in the pipeline while it runs.
#[derive(Clone, Debug)]
pub struct StepCx {
    /// The step's configured name (its annotation namespace: `thresh.<name>`).
    pub name: String,
    /// True when the step should record every signal it computes in the document's
    /// annotations (annotate mode), not only decide.
    pub record_signals: bool,
}

impl StepCx {
    /// Records one signal under `thresh.<step name>.<key>` when signals are wanted.
    pub fn signal(&self, doc: &mut Document, key: &str, value: impl Into<serde_json::Value>) {
        if self.record_signals {
            doc.step_annotations(&self.name)
                .insert(key.to_owned(), value.into());
        }
    }
}

/// One per-document step: reads a document, may rewrite its text and annotate it, and decides
/// whether it is kept. Steps are shared by all worker threads, so they hold only configuration
/// and immutable tables; everything they learn about a document goes into the document.
pub trait Step: Send + Sync {
    /// Processes one document.
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict;

    /// The step's corpus-wide part, for steps that must see every document before deciding
    /// (see [`Barrier`](crate::Barrier)); `None` for ordinary per-document steps.
    fn barrier(&self) -> Option<&dyn crate::Barrier> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_name_is_first_word() {
        let r = Reason::new("dup_line_frac 0.41 > 0.30");
        assert_eq!(r.name(), "dup_line_frac");
        assert_eq!(r.to_string(), "dup_line_frac 0.41 > 0.30");
    }

    #[test]
    fn signals_only_recorded_when_asked() {
        let mut doc = Document::new("a", "b");
        let quiet = StepCx {
            name: "s".into(),
            record_signals: false,
        };
        quiet.signal(&mut doc, "x", 1);
        assert!(doc.annotations.is_empty());
        let loud = StepCx {
            name: "s".into(),
            record_signals: true,
        };
        loud.signal(&mut doc, "x", 1);
        assert_eq!(doc.annotations["s"]["x"], 1);
    }
}
