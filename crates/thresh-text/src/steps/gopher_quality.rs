//! `gopher_quality`: the Gopher quality rules (Rae et al. 2021, table A1), decision-compatible
//! with datatrove's `GopherQualityFilter`.
//!
//! Words are datatrove's (spaCy) tokens, punctuation included; "non-symbol words" are those
//! with a character outside datatrove's `PUNCTUATION_SET`. Checks, in order: word count
//! (non-symbol words), mean non-symbol word length, `#` and ellipsis counts per word, share
//! of lines starting with a bullet, share of lines ending in an ellipsis, share of words with
//! a letter, and distinct stop words present (datatrove's default list is English).

use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::analysis::TextView;
use crate::charsets::{contains, PUNCTUATION_SET};
use crate::checks::Checks;
use crate::fineweb2::{Preset, PresetCache};
use crate::language::step_language;
use crate::pystr;
use crate::segment::{FxSet, Segmenter};

/// Parameters of `gopher_quality`, named and defaulted as datatrove's. A zero disables a check.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherQualityParams {
    /// Fewest non-symbol words.
    pub min_doc_words: u64,
    /// Most non-symbol words.
    pub max_doc_words: u64,
    /// Smallest mean non-symbol word length (code points).
    pub min_avg_word_length: f64,
    /// Largest mean non-symbol word length.
    pub max_avg_word_length: f64,
    /// Largest number of `#` (and, separately, of ellipses) per word.
    pub max_symbol_word_ratio: f64,
    /// Largest share of lines starting with `•` or `-`.
    pub max_bullet_lines_ratio: f64,
    /// Largest share of lines ending in `...` or `…`.
    pub max_ellipsis_lines_ratio: f64,
    /// Smallest share of words containing a letter (datatrove's name, despite being a minimum).
    pub max_non_alpha_words_ratio: f64,
    /// Fewest distinct stop words present.
    pub min_stop_words: u64,
    /// The stop words (exact, case-sensitive tokens); default datatrove's English list.
    pub stop_words: Vec<String>,
    /// Language of the word tokenizer; default: the document's `thresh.lang`, else English.
    pub language: Option<String>,
    /// `fineweb2` (default: FineWeb-2's settings for the document's language where it has
    /// them) or `datatrove` (exactly these parameters, as datatrove applies them).
    pub preset: Preset,
}

impl Default for GopherQualityParams {
    fn default() -> Self {
        GopherQualityParams {
            min_doc_words: 50,
            max_doc_words: 100_000,
            min_avg_word_length: 3.0,
            max_avg_word_length: 10.0,
            max_symbol_word_ratio: 0.1,
            max_bullet_lines_ratio: 0.9,
            max_ellipsis_lines_ratio: 0.3,
            max_non_alpha_words_ratio: 0.8,
            min_stop_words: 2,
            stop_words: ["the", "be", "to", "of", "and", "that", "have", "with"]
                .map(String::from)
                .to_vec(),
            language: None,
            preset: Preset::Fineweb2,
        }
    }
}

/// The `gopher_quality` step.
pub struct GopherQuality {
    params: GopherQualityParams,
    /// The distinct stop words.
    stop_words: Vec<String>,
    /// The parameters and distinct stop words with FineWeb-2's settings, per language.
    presets: PresetCache<(GopherQualityParams, Vec<String>)>,
}

impl GopherQuality {
    /// A step with the given parameters.
    pub fn new(params: GopherQualityParams) -> Self {
        let stop_words = distinct(&params.stop_words);
        GopherQuality {
            params,
            stop_words,
            presets: PresetCache::default(),
        }
    }

    fn run_checks(
        p: &GopherQualityParams,
        stop_words: &[String],
        segmenter: &'static Segmenter,
        view: &TextView,
        checks: &mut Checks,
    ) {
        let text = view.text();
        let words = view.words(segmenter);
        let n = words.len() as f64;
        // Non-symbol words (a character outside PUNCTUATION_SET): their number and total length.
        let (count, total_len) = words
            .iter()
            .zip(words.char_lens())
            .filter(|(w, _)| w.chars().any(|c| !contains(PUNCTUATION_SET, c)))
            .fold((0.0, 0usize), |(n, len), (_, chars)| (n + 1.0, len + chars));
        if checks.check_min("gopher_short_doc", count, p.min_doc_words as f64)
            || checks.check("gopher_long_doc", count, p.max_doc_words as f64)
        {
            return;
        }
        let mean = total_len as f64 / count;
        if checks.check_min("gopher_below_avg_threshold", mean, p.min_avg_word_length)
            || checks.check("gopher_above_avg_threshold", mean, p.max_avg_word_length)
        {
            return;
        }
        let hashes = pystr::count(text, "#") as f64 / n;
        let ellipses = (pystr::count(text, "...") + pystr::count(text, "…")) as f64 / n;
        if checks.check("gopher_too_many_hashes", hashes, p.max_symbol_word_ratio)
            || checks.check(
                "gopher_too_many_ellipsis",
                ellipses,
                p.max_symbol_word_ratio,
            )
        {
            return;
        }
        let lines = pystr::splitlines(text);
        let lines_n = lines.len() as f64;
        let bullets = lines
            .iter()
            .filter(|l| {
                let l = pystr::lstrip(l);
                l.starts_with('•') || l.starts_with('-')
            })
            .count() as f64;
        let end_ellipsis = lines
            .iter()
            .filter(|l| {
                let l = pystr::rstrip(l);
                l.ends_with("...") || l.ends_with('…')
            })
            .count() as f64;
        if checks.check(
            "gopher_too_many_bullets",
            bullets / lines_n,
            p.max_bullet_lines_ratio,
        ) || checks.check(
            "gopher_too_many_end_ellipsis",
            end_ellipsis / lines_n,
            p.max_ellipsis_lines_ratio,
        ) {
            return;
        }
        let alpha = words.iter().filter(|w| pystr::has_alpha(w)).count() as f64 / n;
        if checks.check_min(
            "gopher_below_alpha_threshold",
            alpha,
            p.max_non_alpha_words_ratio,
        ) {
            return;
        }
        let vocabulary: FxSet<&str> = words.iter().collect();
        let present = stop_words
            .iter()
            .filter(|s| vocabulary.contains(s.as_str()))
            .count();
        checks.check_min(
            "gopher_enough_stop_words",
            present as f64,
            p.min_stop_words as f64,
        );
    }
}

fn distinct(words: &[String]) -> Vec<String> {
    let mut words = words.to_vec();
    words.sort();
    words.dedup();
    words
}

impl Step for GopherQuality {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let mut checks = Checks::new(cx.record_signals);
        let language = step_language(self.params.language.as_deref(), doc);
        let preset = self
            .presets
            .get(self.params.preset, language, &mut checks, |fw| {
                let params = GopherQualityParams {
                    min_avg_word_length: fw.min_avg_word_length,
                    max_avg_word_length: fw.max_avg_word_length,
                    max_non_alpha_words_ratio: fw.max_non_alpha_words_ratio,
                    min_stop_words: 2,
                    ..self.params.clone()
                };
                (params, distinct(&fw.stopwords))
            });
        let segmenter = Segmenter::for_language(language);
        let view = TextView::of(doc);
        match preset.as_deref() {
            Some((p, stop_words)) => Self::run_checks(p, stop_words, segmenter, &view, &mut checks),
            None => Self::run_checks(
                &self.params,
                &self.stop_words,
                segmenter,
                &view,
                &mut checks,
            ),
        }
        checks.finish(doc, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Verdict {
        let params = GopherQualityParams {
            language: Some("en".into()),
            ..Default::default()
        };
        let cx = StepCx {
            name: "q".into(),
            record_signals: false,
        };
        GopherQuality::new(params).process(&mut Document::new("d", text), &cx)
    }

    fn text(words: usize, stop: &str) -> String {
        // `stop` (2 words) + (words - 3) × "word" + "end" = `words` non-symbol words, then "."
        // (a symbol word).
        format!("{stop} {}end.", "word ".repeat(words - 3))
    }

    #[test]
    fn word_count_just_below_and_at_the_minimum() {
        assert_eq!(run(&text(50, "the and")), Verdict::Keep);
        assert_eq!(
            run(&text(49, "the and")),
            Verdict::drop("gopher_short_doc 49 < 50")
        );
    }

    #[test]
    fn stop_words_are_distinct_exact_tokens() {
        // "the the" is one distinct stop word; "The" is not "the".
        assert_eq!(
            run(&text(60, "the the")),
            Verdict::drop("gopher_enough_stop_words 1 < 2")
        );
        assert_eq!(
            run(&text(60, "The and")),
            Verdict::drop("gopher_enough_stop_words 1 < 2")
        );
        assert_eq!(run(&text(60, "with to")), Verdict::Keep);
    }

    #[test]
    fn hashes_per_word() {
        // 61 tokens (60 words and ".") + 7 "#" tokens: 7 / 68 = 0.103 > 0.1; with 6: 6 / 67 = 0.090.
        assert_eq!(
            run(&format!("{} # # # # # # #", text(60, "the and"))),
            Verdict::drop("gopher_too_many_hashes 0.103 > 0.1")
        );
        assert_eq!(
            run(&format!("{} # # # # # #", text(60, "the and"))),
            Verdict::Keep
        );
    }
}

#[cfg(test)]
mod preset_tests {
    use super::*;

    fn run(preset: Preset, text: &str) -> Verdict {
        let params = GopherQualityParams {
            language: Some("de".into()),
            preset,
            ..Default::default()
        };
        let cx = StepCx {
            name: "q".into(),
            record_signals: false,
        };
        GopherQuality::new(params).process(&mut Document::new("d", text), &cx)
    }

    #[test]
    fn fineweb2_preset_uses_the_documents_language_stop_words() {
        // 52 German words with "der" and "und" (FineWeb-2 deu_Latn stop words), no English ones.
        let text = format!("Der Rat und {}Ende.", "Stadt ".repeat(49));
        assert_eq!(
            run(Preset::Datatrove, &text),
            Verdict::drop("gopher_enough_stop_words 0 < 2")
        );
        assert_eq!(
            run(Preset::Fineweb2, &text),
            Verdict::drop("gopher_enough_stop_words 1 < 2")
        );
        let text = format!("der Rat und {}Ende.", "Stadt ".repeat(49));
        assert_eq!(run(Preset::Fineweb2, &text), Verdict::Keep);
    }
}

#[cfg(test)]
mod signal_tests {
    use super::*;

    fn run(params: GopherQualityParams, text: &str) -> Verdict {
        let params = GopherQualityParams {
            language: Some("en".into()),
            ..params
        };
        let cx = StepCx {
            name: "q".into(),
            record_signals: false,
        };
        GopherQuality::new(params).process(&mut Document::new("d", text), &cx)
    }

    fn only_defaults_off() -> GopherQualityParams {
        GopherQualityParams {
            min_doc_words: 0,
            max_doc_words: 0,
            min_avg_word_length: 0.0,
            max_avg_word_length: 0.0,
            max_symbol_word_ratio: 0.0,
            max_bullet_lines_ratio: 0.0,
            max_ellipsis_lines_ratio: 0.0,
            max_non_alpha_words_ratio: 0.0,
            min_stop_words: 0,
            ..Default::default()
        }
    }

    #[test]
    fn mean_word_length_bounds() {
        let p = || GopherQualityParams {
            min_avg_word_length: 3.0,
            max_avg_word_length: 10.0,
            ..only_defaults_off()
        };
        // "ab abcd": mean 3.0 is not < 3; "ab abc": 2.5 < 3; "abcdefghijk": 11 > 10.
        assert_eq!(run(p(), "ab abcd"), Verdict::Keep);
        assert_eq!(
            run(p(), "ab abc"),
            Verdict::drop("gopher_below_avg_threshold 2.500 < 3")
        );
        assert_eq!(
            run(p(), "abcdefghijk"),
            Verdict::drop("gopher_above_avg_threshold 11 > 10")
        );
    }

    #[test]
    fn long_documents() {
        let p = GopherQualityParams {
            max_doc_words: 3,
            ..only_defaults_off()
        };
        assert_eq!(run(p.clone(), "one two three."), Verdict::Keep);
        assert_eq!(
            run(p, "one two three four."),
            Verdict::drop("gopher_long_doc 4 > 3")
        );
    }

    #[test]
    fn bullet_and_ellipsis_lines() {
        let bullets = GopherQualityParams {
            max_bullet_lines_ratio: 0.9,
            ..only_defaults_off()
        };
        // 9 of 10 lines start with a bullet: 0.9 is not > 0.9; 10 of 10 is.
        let nine = format!("{}plain line", "• item\n".repeat(9));
        assert_eq!(run(bullets.clone(), &nine), Verdict::Keep);
        assert_eq!(
            run(bullets, &"- item\n".repeat(10)),
            Verdict::drop("gopher_too_many_bullets 1 > 0.9")
        );
        let ellipses = GopherQualityParams {
            max_ellipsis_lines_ratio: 0.3,
            ..only_defaults_off()
        };
        // 1 of 3 lines ends in an ellipsis: 0.333 > 0.3; 1 of 4: 0.25.
        assert_eq!(
            run(ellipses.clone(), "a...\nb\nc"),
            Verdict::drop("gopher_too_many_end_ellipsis 0.333 > 0.3")
        );
        assert_eq!(run(ellipses, "a…\nb\nc\nd"), Verdict::Keep);
    }

    #[test]
    fn words_with_letters() {
        let p = || GopherQualityParams {
            max_non_alpha_words_ratio: 0.8,
            ..only_defaults_off()
        };
        // Tokens a b c d 1: 4 of 5 have a letter = 0.8, not < 0.8; a b c 1 2: 0.6.
        assert_eq!(run(p(), "a b c d 1"), Verdict::Keep);
        assert_eq!(
            run(p(), "a b c 1 2"),
            Verdict::drop("gopher_below_alpha_threshold 0.600 < 0.8")
        );
    }
}
