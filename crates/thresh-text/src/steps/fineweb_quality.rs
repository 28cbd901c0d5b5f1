//! `fineweb_quality`: the FineWeb quality rules (Penedo et al. 2024), decision-compatible with
//! datatrove's `FineWebQualityFilter`.
//!
//! Over the non-blank lines (`\n`-separated, not stripped): the share ending in a stop
//! character (datatrove's terminal punctuation), the share of short lines, the share of
//! characters in duplicated lines, and newlines per word (datatrove's spaCy tokens).

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::analysis::TextView;
use crate::charsets::is_terminal_punctuation;
use crate::checks::Checks;
use crate::duplicates::find_duplicates;
use crate::fineweb2::{Preset, PresetCache};
use crate::language::step_language;
use crate::pystr;
use crate::segment::Segmenter;

/// Parameters of `fineweb_quality`, named and defaulted as datatrove's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FineWebQualityParams {
    /// Smallest share of lines ending in a stop character.
    pub line_punct_thr: f64,
    /// Do not drop documents in which no line ends in a stop character.
    pub line_punct_exclude_zero: bool,
    /// The stop characters; default datatrove's `TERMINAL_PUNCTUATION`.
    pub stop_chars: Option<Vec<String>>,
    /// Largest share of short lines.
    pub short_line_thr: f64,
    /// Lines of at most this many code points are short.
    pub short_line_length: usize,
    /// Largest share of characters (newlines excluded) in duplicated lines.
    pub char_duplicates_ratio: f64,
    /// Largest number of newlines per word.
    pub new_line_ratio: f64,
    /// Language of the word tokenizer; default: the document's `thresh.lang`, else English.
    pub language: Option<String>,
    /// `fineweb2` (default: FineWeb-2's settings for the document's language where it has
    /// them) or `datatrove` (exactly these parameters, as datatrove applies them).
    pub preset: Preset,
}

impl Default for FineWebQualityParams {
    fn default() -> Self {
        FineWebQualityParams {
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            stop_chars: None,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
            language: None,
            preset: Preset::Fineweb2,
        }
    }
}

/// The `fineweb_quality` step.
pub struct FineWebQuality {
    params: FineWebQualityParams,
    /// The parameters with FineWeb-2's settings, per language.
    presets: PresetCache<FineWebQualityParams>,
}

impl FineWebQuality {
    /// A step with the given parameters.
    pub fn new(params: FineWebQualityParams) -> Self {
        FineWebQuality {
            params,
            presets: PresetCache::default(),
        }
    }

    fn ends_with_stop(p: &FineWebQualityParams, line: &str) -> bool {
        match &p.stop_chars {
            Some(stops) => stops.iter().any(|s| line.ends_with(s.as_str())),
            None => line
                .chars()
                .next_back()
                .is_some_and(is_terminal_punctuation),
        }
    }

    fn run_checks(
        p: &FineWebQualityParams,
        segmenter: &'static Segmenter,
        view: &TextView,
        checks: &mut Checks,
    ) {
        let text = view.text();
        let lines: Vec<&str> = view
            .lines()
            .filter(|l| !pystr::strip(l).is_empty())
            .collect();
        if checks.fail_if(lines.is_empty(), || "empty".into()) {
            return;
        }
        let n = lines.len() as f64;
        let punct = lines.iter().filter(|l| Self::ends_with_stop(p, l)).count() as f64 / n;
        checks.signal("line_punct_ratio", punct);
        if checks.fail_if(
            punct < p.line_punct_thr && !(punct == 0.0 && p.line_punct_exclude_zero),
            || format!("line_punct_ratio {punct:.3} < {}", p.line_punct_thr),
        ) {
            return;
        }
        let short = lines
            .iter()
            .filter(|l| pystr::len(l) <= p.short_line_length)
            .count() as f64
            / n;
        if checks.check_fraction("short_line_ratio", short, p.short_line_thr) {
            return;
        }
        let (_, dup_chars) = find_duplicates(lines.iter().copied());
        let chars = pystr::len(text) - pystr::count(text, "\n");
        if checks.check(
            "char_dup_ratio",
            dup_chars as f64 / chars as f64,
            p.char_duplicates_ratio,
        ) {
            return;
        }
        let words = view.words(segmenter);
        checks.check(
            "list_ratio",
            pystr::count(text, "\n") as f64 / words.len() as f64,
            p.new_line_ratio,
        );
    }
}

impl Step for FineWebQuality {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut checks = Checks::new(cx.record_signals);
        let language = step_language(self.params.language.as_deref(), doc);
        let preset = self
            .presets
            .get(self.params.preset, language, &mut checks, |fw| {
                FineWebQualityParams {
                    line_punct_thr: fw.line_punct_thr,
                    new_line_ratio: fw.new_line_ratio,
                    short_line_thr: 999.0,
                    char_duplicates_ratio: 0.1,
                    ..self.params.clone()
                }
            });
        let segmenter = Segmenter::for_language(language);
        Self::run_checks(
            preset.as_deref().unwrap_or(&self.params),
            segmenter,
            &TextView::of(doc),
            &mut checks,
        );
        checks.finish(doc, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Verdict {
        let params = FineWebQualityParams {
            language: Some("en".into()),
            ..Default::default()
        };
        let cx = StepCx {
            name: "f".into(),
            record_signals: false,
        };
        FineWebQuality::new(params).process(&mut Document::new("d", text), &cx)
    }

    const LONG: &str = "this line is well over thirty characters long";

    #[test]
    fn line_punctuation_share() {
        // 1 of 8 lines ends in a stop character: 0.125 ≥ 0.12; 1 of 9: 0.111 < 0.12.
        let lines = |n: usize| {
            let rest: Vec<String> = (1..n).map(|i| format!("{LONG} {i}")).collect();
            format!("{LONG}.\n{}", rest.join("\n"))
        };
        assert_eq!(run(&lines(8)), Verdict::Keep);
        assert_eq!(
            run(&lines(9)),
            Verdict::drop("line_punct_ratio 0.111 < 0.12")
        );
    }

    #[test]
    fn short_lines_and_duplicates() {
        // Three short lines of three: 1.0 > 0.67.
        assert_eq!(
            run("One.\nTwo.\nThree."),
            Verdict::drop("short_line_ratio 1 > 0.67")
        );
        // The 46-character line twice: 46 repeated of 92 characters (newline excluded) = 0.5.
        assert_eq!(
            run(&format!("{LONG}.\n{LONG}.")),
            Verdict::drop("char_dup_ratio 0.500 > 0.01")
        );
    }

    #[test]
    fn blank_text_is_empty() {
        assert_eq!(run(" \n\n"), Verdict::drop("empty"));
    }
}

#[cfg(test)]
mod list_ratio_tests {
    use super::*;

    #[test]
    fn newlines_per_word() {
        let params = FineWebQualityParams {
            language: Some("en".into()),
            line_punct_thr: 0.0,
            short_line_thr: 0.0,
            char_duplicates_ratio: 0.0,
            ..Default::default()
        };
        let cx = StepCx {
            name: "f".into(),
            record_signals: false,
        };
        let run = |text: &str| {
            FineWebQuality::new(params.clone()).process(&mut Document::new("d", text), &cx)
        };
        // 3 newlines, 10 tokens: 0.3 is not > 0.3. 3 newlines, 9 tokens: 0.333.
        assert_eq!(run("a b c\nd e f\ng h\ni j"), Verdict::Keep);
        assert_eq!(
            run("a b c\nd e f\ng h\ni"),
            Verdict::drop("list_ratio 0.333 > 0.3")
        );
    }
}
