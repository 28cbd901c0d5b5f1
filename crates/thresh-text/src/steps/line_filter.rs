//! `line_filter`: remove lines that match patterns or have too few words.
//!
//! Blank lines are paragraph separators, not content: they are never removed for having too
//! few words, but a run of them left behind by removals collapses into one, and none is left at
//! the start or end. A document with no text left is dropped (`empty_after_line_filter`).

use regex::{RegexSet, RegexSetBuilder};
use serde::Deserialize;
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

use crate::words::count_words;

/// Parameters of the `line_filter` step.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineFilterParams {
    /// Remove lines in which any of these patterns matches.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Match the patterns without regard to case.
    #[serde(default)]
    pub case_insensitive: bool,
    /// Remove non-blank lines with fewer whitespace-separated words than this.
    #[serde(default)]
    pub min_words: usize,
}

/// The `line_filter` step.
pub struct LineFilter {
    patterns: Option<RegexSet>,
    min_words: usize,
}

impl LineFilter {
    /// Compiles the patterns; a bad pattern is a configuration error naming it.
    pub fn new(params: LineFilterParams, name: &str) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            context: format!("step `{name}`"),
            message,
        };
        if params.patterns.is_empty() && params.min_words == 0 {
            return Err(invalid(
                "set `patterns` or `min_words`, or the step does nothing".into(),
            ));
        }
        let patterns = if params.patterns.is_empty() {
            None
        } else {
            Some(
                RegexSetBuilder::new(&params.patterns)
                    .case_insensitive(params.case_insensitive)
                    .build()
                    .map_err(|e| invalid(format!("bad pattern: {e}")))?,
            )
        };
        Ok(LineFilter {
            patterns,
            min_words: params.min_words,
        })
    }

    fn removes(&self, line: &str) -> bool {
        if line.trim().is_empty() {
            return false;
        }
        (self.min_words > 0 && count_words(line) < self.min_words)
            || self.patterns.as_ref().is_some_and(|set| set.is_match(line))
    }
}

impl Step for LineFilter {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut out = String::with_capacity(doc.text.len());
        let mut removed: Vec<&str> = Vec::new();
        let mut pending_blank = false;
        for line in doc.text.lines() {
            if self.removes(line) {
                if cx.record_signals || removed.is_empty() {
                    removed.push(line);
                }
                continue;
            }
            if line.trim().is_empty() {
                pending_blank = !out.is_empty();
                continue;
            }
            if !out.is_empty() {
                out.push_str(if pending_blank { "\n\n" } else { "\n" });
            }
            pending_blank = false;
            out.push_str(line);
        }
        if removed.is_empty() {
            return Verdict::Keep;
        }
        if cx.record_signals {
            let lines: Vec<serde_json::Value> = removed.iter().map(|&l| l.into()).collect();
            cx.signal(doc, "lines_removed", lines.len());
            cx.signal(doc, "removed", lines);
        }
        doc.text = out;
        if doc.text.is_empty() {
            return Verdict::drop("empty_after_line_filter");
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: LineFilterParams, text: &str, signals: bool) -> (Document, Verdict) {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "lf".into(),
            record_signals: signals,
        };
        let verdict = LineFilter::new(params, "lf")
            .unwrap()
            .process(&mut doc, &cx);
        (doc, verdict)
    }

    #[test]
    fn removes_matching_and_short_lines_and_tidies_blank_lines() {
        let params = LineFilterParams {
            patterns: vec!["^Related posts$".into(), "(?i)cookies".into()],
            min_words: 3,
            ..Default::default()
        };
        let text = "The council met on Monday evening.\n\nRelated posts\n\nShare\nWe use Cookies here ok.\n\nLast line has words.";
        let (doc, verdict) = run(params, text, true);
        assert_eq!(verdict, Verdict::Keep);
        assert_eq!(
            doc.text,
            "The council met on Monday evening.\n\nLast line has words."
        );
        assert_eq!(doc.annotations["lf"]["lines_removed"], 3);
        assert_eq!(doc.annotations["lf"]["removed"][1], "Share");
    }

    #[test]
    fn a_document_left_empty_is_dropped() {
        let params = LineFilterParams {
            min_words: 5,
            ..Default::default()
        };
        let (_, verdict) = run(params, "Click here\n\nto continue", false);
        assert_eq!(verdict, Verdict::drop("empty_after_line_filter"));
    }

    #[test]
    fn untouched_text_is_not_rewritten() {
        let params = LineFilterParams {
            min_words: 1,
            ..Default::default()
        };
        let (doc, _) = run(params, "a\n\n\n\nb\n", false);
        assert_eq!(doc.text, "a\n\n\n\nb\n");
    }
}
