//! `c4_quality`: the C4 rules (Raffel et al. 2020; the TFDS `c4_utils` reference),
//! decision-compatible with datatrove's `C4QualityFilter`.
//!
//! Line by line (Python `splitlines`, each line stripped): a line with a word over
//! `max_word_length` characters is removed; citations (`[1]`, `[edit]`, `[citation needed]`)
//! are cut out; a line not ending in terminal punctuation (`. ? ! " '`, and not `...`) or with
//! fewer than `min_words_per_line` words is removed; "lorem ipsum" or `{` on a surviving line
//! drop the document; lines mentioning javascript or a cookie/terms policy are removed. The
//! kept lines' sentences (spaCy sentencizer, as datatrove counts them) must reach
//! `min_num_sentences`. The text becomes the kept lines joined by `\n`.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::checks::Checks;
use crate::language::step_language;
use crate::pystr;
use crate::segment::Segmenter;

/// Parameters of `c4_quality`, named and defaulted as datatrove's (`-1` disables a number).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct C4QualityParams {
    /// Lines are the units (true), or spaCy sentences (false: each kept one counts as one
    /// sentence and they are joined by spaces).
    pub split_paragraph: bool,
    /// Remove `[1]`, `[edit]`, `[citation needed]`.
    pub remove_citations: bool,
    /// Remove lines not ending in terminal punctuation.
    pub filter_no_terminal_punct: bool,
    /// Fewest sentences in the kept lines (-1 disables).
    pub min_num_sentences: i64,
    /// Fewest words per kept line (-1 disables).
    pub min_words_per_line: i64,
    /// Lines with a longer word are removed (-1 disables).
    pub max_word_length: i64,
    /// Drop documents with "lorem ipsum" on a kept line.
    pub filter_lorem_ipsum: bool,
    /// Remove lines mentioning javascript.
    pub filter_javascript: bool,
    /// Drop documents with `{` on a kept line.
    pub filter_curly_bracket: bool,
    /// Remove lines mentioning terms of use, privacy or cookie policies.
    pub filter_policy: bool,
    /// Language of the sentence splitter; default: the document's `thresh.lang`, else English.
    pub language: Option<String>,
}

impl Default for C4QualityParams {
    fn default() -> Self {
        C4QualityParams {
            split_paragraph: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: 5,
            min_words_per_line: 3,
            max_word_length: 1000,
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
            language: None,
        }
    }
}

const POLICY: [&str; 6] = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
];
const LINE_ENDINGS: [char; 5] = ['.', '?', '!', '"', '\''];

/// The `c4_quality` step.
pub struct C4Quality {
    params: C4QualityParams,
}

impl C4Quality {
    /// A step with the given parameters.
    pub fn new(params: C4QualityParams) -> Self {
        C4Quality { params }
    }
}

fn citation() -> &'static Regex {
    static CITATION: OnceLock<Regex> = OnceLock::new();
    CITATION
        .get_or_init(|| Regex::new(r"\[\d*\]|\[edit\]|\[citation needed\]").expect("valid pattern"))
}

impl Step for C4Quality {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let p = &self.params;
        let segmenter = Segmenter::for_language(step_language(p.language.as_deref(), doc));
        let mut kept: Vec<String> = Vec::new();
        let mut sentences = 0usize;
        let mut removed = 0usize;
        let mut checks = Checks::new(cx.record_signals);
        let units = if p.split_paragraph {
            pystr::splitlines(&doc.text)
        } else {
            segmenter.sentences(&doc.text)
        };
        for raw in units {
            let stripped = pystr::strip(raw);
            let words: Vec<&str> = pystr::split_whitespace(stripped).collect();
            if p.max_word_length != -1
                && words
                    .iter()
                    .any(|w| pystr::len(w) as i64 > p.max_word_length)
            {
                removed += 1;
                continue;
            }
            let line = if p.remove_citations {
                citation().replace_all(stripped, "")
            } else {
                stripped.into()
            };
            if p.filter_no_terminal_punct
                && (!line.ends_with(LINE_ENDINGS) || line.ends_with("..."))
            {
                removed += 1;
                continue;
            }
            if (words.len() as i64) < p.min_words_per_line {
                removed += 1;
                continue;
            }
            let lower = line.to_lowercase();
            if p.filter_lorem_ipsum && lower.contains("lorem ipsum") {
                return Verdict::drop("lorem_ipsum");
            }
            if p.filter_javascript && lower.contains("javascript") {
                removed += 1;
                continue;
            }
            if p.filter_curly_bracket && line.contains('{') {
                return Verdict::drop("curly_bracket");
            }
            if p.filter_policy && POLICY.iter().any(|s| lower.contains(s)) {
                removed += 1;
                continue;
            }
            // Without signals to record, counting stops once the minimum is reached.
            let counted_enough = !cx.record_signals && sentences as i64 >= p.min_num_sentences;
            if p.min_num_sentences != -1 && !counted_enough {
                sentences += if p.split_paragraph {
                    segmenter.sentence_count(&line)
                } else {
                    1
                };
            }
            kept.push(line.into_owned());
        }
        checks.signal("lines_removed", removed);
        checks.signal("sentences", sentences);
        if (sentences as i64) < p.min_num_sentences {
            checks.fail_if(true, || {
                format!("too_few_sentences {sentences} < {}", p.min_num_sentences)
            });
            return checks.finish(doc, cx);
        }
        let joined = kept.join(if p.split_paragraph { "\n" } else { " " });
        doc.text = pystr::strip(&joined).to_owned();
        checks.finish(doc, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Verdict, String) {
        let params = C4QualityParams {
            language: Some("en".into()),
            ..Default::default()
        };
        let cx = StepCx {
            name: "c4".into(),
            record_signals: false,
        };
        let mut doc = Document::new("d", text);
        let verdict = C4Quality::new(params).process(&mut doc, &cx);
        (verdict, doc.text)
    }

    const GOOD: [&str; 5] = [
        "The council met on Monday.",
        "It approved the new budget.",
        "Residents welcomed the decision.",
        "Work starts in the spring.",
        "The mayor thanked the volunteers.",
    ];

    #[test]
    fn removes_bad_lines_and_counts_sentences() {
        let text = format!("Home | News\n{}\nPlease enable JavaScript to continue.\nRead our privacy policy here.\n{}[1]", GOOD[..4].join("\n"), GOOD[4]);
        let (verdict, after) = run(&text);
        assert_eq!(verdict, Verdict::Keep);
        assert_eq!(after, GOOD.join("\n"));
        // Four good lines are four sentences: one short of five.
        let (verdict, _) = run(&GOOD[..4].join("\n"));
        assert_eq!(verdict, Verdict::drop("too_few_sentences 4 < 5"));
    }

    #[test]
    fn lorem_ipsum_and_curly_brackets_drop_only_on_kept_lines() {
        assert_eq!(
            run(&format!("{}\nLorem ipsum dolor sit amet.", GOOD.join("\n"))).0,
            Verdict::drop("lorem_ipsum")
        );
        assert_eq!(
            run(&format!(
                "{}\nfunction f() {{ return 1; }}",
                GOOD.join("\n")
            ))
            .0,
            Verdict::Keep
        );
        assert_eq!(
            run(&format!("{}\nUse {{braces}} with care.", GOOD.join("\n"))).0,
            Verdict::drop("curly_bracket")
        );
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    fn kept_lines(text: &str) -> String {
        let params = C4QualityParams {
            language: Some("en".into()),
            min_num_sentences: -1,
            ..Default::default()
        };
        let cx = StepCx {
            name: "c4".into(),
            record_signals: false,
        };
        let mut doc = Document::new("d", text);
        C4Quality::new(params).process(&mut doc, &cx);
        doc.text
    }

    #[test]
    fn line_rules() {
        // Too few words (2 < 3), an ellipsis ending, a closing curly quote ending, a 1,001-char
        // word: removed. Citations are cut out after the strip, so "[12]" after the period
        // leaves a trailing space and no terminal punctuation (removed), while "[12]" before it
        // leaves "stays ." (kept), as in datatrove.
        let long = "x".repeat(1001);
        let text = format!(
            "Two words.\nIt trails off...\nShe said “yes.”\nA {long} word.\nA claim here. [12]\nThis one stays [12].\nAnd so does this one."
        );
        assert_eq!(kept_lines(&text), "This one stays .\nAnd so does this one.");
        assert_eq!(kept_lines("Cited claim here.[3]"), "Cited claim here.");
        let word_1000 = "y".repeat(1000);
        assert_eq!(
            kept_lines(&format!("A {word_1000} word.")),
            format!("A {word_1000} word.")
        );
    }
}
