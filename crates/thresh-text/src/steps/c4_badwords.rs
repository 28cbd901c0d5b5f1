//! `c4_badwords`: drop documents containing a word of the C4 bad-words list of their language,
//! decision-compatible with datatrove's `C4BadWordsFilter`.
//!
//! The lists (LDNOOBW, CC BY 4.0; `data/c4_badwords/`) are the ones datatrove downloads, built
//! into the binary. As in datatrove, the allowlisted entries (ja: sm, グロ, 女の子; zh: 性) are
//! removed from every list, and the lowercased text is searched for a listed word flanked by
//! non-word characters (anywhere, for Japanese, Thai and Chinese).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use thresh_core::{Document, Step, StepCx, Verdict};

use crate::hash::fnv1a;

/// Parameters of `c4_badwords`, named and defaulted as datatrove's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct C4BadWordsParams {
    /// Share of documents with bad words kept anyway (chosen by a hash of seed and id, so the
    /// same documents are kept whatever the thread count).
    pub keep_fraction: f64,
    /// A document whose language has no list is dropped (`missing_badwords_language`) rather
    /// than kept; datatrove stops the whole run instead.
    pub fail_on_missing_language: bool,
    /// Seed of the keep_fraction choice.
    pub seed: Option<u64>,
    /// Language of documents without `thresh.lang`.
    pub default_language: String,
}

impl Default for C4BadWordsParams {
    fn default() -> Self {
        C4BadWordsParams {
            keep_fraction: 0.0,
            fail_on_missing_language: true,
            seed: None,
            default_language: "en".into(),
        }
    }
}

macro_rules! lists {
    ($($lang:literal),*) => {
        &[$(($lang, include_str!(concat!("../../data/c4_badwords/", $lang, ".txt")))),*]
    };
}

const LISTS: &[(&str, &str)] = lists!(
    "ar",
    "cs",
    "da",
    "de",
    "en",
    "eo",
    "es",
    "fa",
    "fi",
    "fil",
    "fr",
    "fr-CA-u-sd-caqc",
    "hi",
    "hu",
    "it",
    "ja",
    "kab",
    "ko",
    "nl",
    "no",
    "pl",
    "pt",
    "ru",
    "sv",
    "th",
    "tlh",
    "tr",
    "zh"
);
const ALLOWLIST: [&str; 4] = ["sm", "グロ", "女の子", "性"];

/// The compiled pattern of a language's list, built on first use.
fn pattern(lang: &str) -> Option<&'static Regex> {
    static PATTERNS: [OnceLock<Regex>; LISTS.len()] = [const { OnceLock::new() }; LISTS.len()];
    let i = LISTS.iter().position(|(l, _)| *l == lang)?;
    Some(PATTERNS[i].get_or_init(|| {
        let words: BTreeSet<&str> = LISTS[i]
            .1
            .lines()
            .map(str::trim)
            .filter(|w| !ALLOWLIST.contains(w))
            .collect();
        let alternatives: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let source = if matches!(lang, "ja" | "th" | "zh") {
            alternatives.join("|")
        } else {
            format!(r"(?:\W|^)({})(?:\W|$)", alternatives.join("|"))
        };
        Regex::new(&source).expect("bundled bad-words list compiles")
    }))
}

/// The `c4_badwords` step.
pub struct C4BadWords {
    params: C4BadWordsParams,
}

impl C4BadWords {
    /// A step with the given parameters.
    pub fn new(params: C4BadWordsParams) -> Self {
        C4BadWords { params }
    }

    /// Whether a document with bad words is kept anyway: a uniform draw from its id and the seed.
    fn kept_anyway(&self, id: &str) -> bool {
        if self.params.keep_fraction <= 0.0 {
            return false;
        }
        let h = fnv1a(id.bytes(), self.params.seed.unwrap_or(0));
        let draw = (h >> 11) as f64 / (1u64 << 53) as f64;
        draw < self.params.keep_fraction
    }
}

impl Step for C4BadWords {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let lang = doc
            .lang()
            .unwrap_or(&self.params.default_language)
            .to_owned();
        let Some(re) = pattern(&lang) else {
            cx.signal(doc, "missing_language", lang.as_str());
            return if self.params.fail_on_missing_language {
                Verdict::drop(format_args!("missing_badwords_language {lang}"))
            } else {
                Verdict::Keep
            };
        };
        let lower = doc.text.to_lowercase();
        let found = re.find(&lower).map(|m| {
            m.as_str()
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_owned()
        });
        cx.signal(doc, "badword", found.clone());
        match found {
            Some(_) if !self.kept_anyway(&doc.id) => {
                Verdict::drop(format_args!("document_removed_with_badwords {lang}"))
            }
            _ => Verdict::Keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: C4BadWordsParams, lang: Option<&str>, text: &str) -> Verdict {
        let mut doc = Document::new("d", text);
        if let Some(lang) = lang {
            doc.annotations.insert("lang".into(), lang.into());
        }
        let cx = StepCx {
            name: "b".into(),
            record_signals: false,
        };
        C4BadWords::new(params).process(&mut doc, &cx)
    }

    #[test]
    fn listed_words_only_count_as_whole_words() {
        // "anal" is on the English list; "analysis" and "canal" contain it but are other words.
        let p = C4BadWordsParams::default;
        assert_eq!(
            run(p(), None, "A careful analysis of the canal."),
            Verdict::Keep
        );
        assert!(matches!(
            run(p(), None, "Some Anal text."),
            Verdict::Drop(_)
        ));
        assert!(matches!(
            run(p(), Some("de"), "Das ist Scheiße, sagte er."),
            Verdict::Drop(_)
        ));
    }

    #[test]
    fn unknown_languages_follow_fail_on_missing_language() {
        let strict = C4BadWordsParams::default();
        assert_eq!(
            run(strict, Some("xx"), "text"),
            Verdict::drop("missing_badwords_language xx")
        );
        let lenient = C4BadWordsParams {
            fail_on_missing_language: false,
            ..Default::default()
        };
        assert_eq!(run(lenient, Some("xx"), "text"), Verdict::Keep);
    }

    #[test]
    fn keep_fraction_one_keeps_everything() {
        let keep_all = C4BadWordsParams {
            keep_fraction: 1.0,
            ..Default::default()
        };
        assert_eq!(run(keep_all, None, "Some anal text."), Verdict::Keep);
    }
}
