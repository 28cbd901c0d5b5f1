//! `length`: drop documents with too few or too many characters or words.

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::words::count_words;

/// Parameters of the `length` step. Each bound is optional; a document outside any set bound
/// is dropped with the bound's name as the reason (`min_words 12 < 50`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthParams {
    /// Fewest characters (Unicode scalar values) allowed.
    pub min_chars: Option<u64>,
    /// Most characters allowed.
    pub max_chars: Option<u64>,
    /// Fewest whitespace-separated words allowed.
    pub min_words: Option<u64>,
    /// Most words allowed.
    pub max_words: Option<u64>,
}

/// The `length` step.
pub struct Length {
    params: LengthParams,
}

impl Length {
    /// A `length` step with the given bounds.
    pub fn new(params: LengthParams) -> Self {
        Length { params }
    }
}

impl Step for Length {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let p = &self.params;
        let chars = doc.text.chars().count() as u64;
        let words = if p.min_words.is_some() || p.max_words.is_some() || cx.record_signals {
            count_words(&doc.text) as u64
        } else {
            0
        };
        cx.signal(doc, "chars", chars);
        cx.signal(doc, "words", words);
        if let Some(min) = p.min_chars.filter(|&min| chars < min) {
            return Verdict::drop(format_args!("min_chars {chars} < {min}"));
        }
        if let Some(max) = p.max_chars.filter(|&max| chars > max) {
            return Verdict::drop(format_args!("max_chars {chars} > {max}"));
        }
        if let Some(min) = p.min_words.filter(|&min| words < min) {
            return Verdict::drop(format_args!("min_words {words} < {min}"));
        }
        if let Some(max) = p.max_words.filter(|&max| words > max) {
            return Verdict::drop(format_args!("max_words {words} > {max}"));
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(params: LengthParams, text: &str) -> Verdict {
        let cx = StepCx {
            name: "length".into(),
            record_signals: false,
        };
        Length::new(params).process(&mut Document::new("d", text), &cx)
    }

    #[test]
    fn bounds_are_inclusive() {
        // "aä b" is 4 characters (ä is one char, two bytes) and 2 words.
        let text = "aä b";
        let at = |min_chars, max_chars, min_words, max_words| LengthParams {
            min_chars,
            max_chars,
            min_words,
            max_words,
        };
        assert_eq!(
            verdict(at(Some(4), Some(4), Some(2), Some(2)), text),
            Verdict::Keep
        );
        assert_eq!(
            verdict(at(Some(5), None, None, None), text),
            Verdict::drop("min_chars 4 < 5")
        );
        assert_eq!(
            verdict(at(None, Some(3), None, None), text),
            Verdict::drop("max_chars 4 > 3")
        );
        assert_eq!(
            verdict(at(None, None, Some(3), None), text),
            Verdict::drop("min_words 2 < 3")
        );
        assert_eq!(
            verdict(at(None, None, None, Some(1)), text),
            Verdict::drop("max_words 2 > 1")
        );
    }

    #[test]
    fn annotate_mode_records_counts() {
        let cx = StepCx {
            name: "len".into(),
            record_signals: true,
        };
        let mut doc = Document::new("d", "one two three");
        Length::new(LengthParams::default()).process(&mut doc, &cx);
        assert_eq!(doc.annotations["len"]["chars"], 13);
        assert_eq!(doc.annotations["len"]["words"], 3);
    }
}
