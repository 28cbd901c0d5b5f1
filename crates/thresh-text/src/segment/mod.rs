//! Word and sentence segmentation compatible with datatrove 0.10.1, whose
//! `split_into_words` / `split_into_sentences` use a blank spaCy 3.8 pipeline
//! (`spacy.blank(lang)` plus the rule-based `sentencizer`).
//!
//! [`Segmenter::words`] returns spaCy's tokens without the whitespace tokens: punctuation is
//! kept (`"Hello, world."` → `Hello` `,` `world` `.`), English contractions and hyphens are split
//! (`don't` → `do` `n't`, `e-mail` → `e` `-` `mail`), URLs, e-mail addresses, numbers like
//! `1,234.5` and the language's abbreviations stay whole. The tables are spaCy's own
//! (`data/spacy/`), for 15 languages plus the multi-language `xx` fallback. Scripts written
//! without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) are segmented with ICU4X.
//!
//! ```
//! use thresh_text::segment::Segmenter;
//! let en = Segmenter::for_language("eng");
//! assert_eq!(en.words("Don't panic."), ["Do", "n't", "panic", "."]);
//! assert_eq!(en.sentence_count("One. Two!"), 2);
//! ```

mod icu;
mod letters;
mod memo;
mod pyre;
mod pyws;
mod sentences;
mod tables;
mod tokenizer;

use std::collections::HashMap;
use std::sync::OnceLock;

pub(crate) use memo::{oversized, FxMap, FxSet};
use tables::{LANGS, XX};
use tokenizer::{Tok, Tokenizer};

/// A word segmenter for one language, datatrove/spaCy-compatible.
pub struct Segmenter {
    lang: &'static str,
    tokenizer: Tokenizer,
    /// Words from ICU4X instead of spaCy's tables (scripts written without spaces); sentences
    /// still from the `xx` tables' sentencizer.
    dictionary: bool,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// The spaCy language index (into [`LANGS`]) datatrove uses for a language key.
fn language_index(code: &str) -> usize {
    static MAP: OnceLock<HashMap<String, usize>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        tables::common()
            .tokenizer_assignment
            .into_iter()
            .filter_map(|(key, lang)| Some((key, LANGS.iter().position(|l| *l == lang)?)))
            .collect()
    });
    if let Some(&i) = map.get(code) {
        return i;
    }
    // Tolerate case variants ("DE", "deu_latn"): lowercase code, title-case script.
    let (lang, script) = code.split_once('_').unwrap_or((code, ""));
    let mut key = lang.trim().to_ascii_lowercase();
    if !script.is_empty() {
        key.push('_');
        let mut cs = script.chars();
        key.extend(cs.next().map(|c| c.to_ascii_uppercase()));
        key.extend(cs.map(|c| c.to_ascii_lowercase()));
    }
    map.get(&key).copied().unwrap_or(XX)
}

impl Segmenter {
    /// The segmenter datatrove uses for this language code. Accepts ISO 639-1 ("de"),
    /// datatrove's ISO 639-3 ("deu") and "deu_Latn"-style codes, resolved as datatrove's
    /// `tokenizer_assignment.csv` does for en, de, fr, es, it, pt, nl, pl, ru, uk, cs, sv, da, fi
    /// and tr (including proxies such as `gsw` → de); anything else gets the multi-language `xx`
    /// tables. Built once per language and cached, so this is cheap to call per document.
    ///
    /// Chinese, Japanese, Thai, Lao, Khmer and Burmese (`zh`, `cmn`, `jpn`, `tha_Thai`, …) get
    /// ICU4X's dictionary/LSTM word segmentation instead, since datatrove's segmenters for them
    /// (jieba, SudachiPy, pythainlp) are Python packages.
    pub fn for_language(code: &str) -> &'static Segmenter {
        static SEGMENTERS: [OnceLock<Segmenter>; LANGS.len()] =
            [const { OnceLock::new() }; LANGS.len()];
        static DICTIONARY: OnceLock<Segmenter> = OnceLock::new();
        if icu::handles(code) {
            return DICTIONARY.get_or_init(|| Segmenter {
                lang: "icu",
                tokenizer: Tokenizer::new(&tables::load(LANGS[XX]), XX),
                dictionary: true,
            });
        }
        let i = language_index(code);
        SEGMENTERS[i].get_or_init(|| Segmenter {
            lang: LANGS[i],
            tokenizer: Tokenizer::new(&tables::load(LANGS[i]), i),
            dictionary: false,
        })
    }

    /// The spaCy language whose tables this segmenter uses (`"en"`, …, `"xx"`), or `"icu"`.
    pub fn spacy_language(&self) -> &'static str {
        self.lang
    }

    /// datatrove's `split_into_words`: spaCy tokens with whitespace-only tokens removed (each
    /// token is Python-`strip()`ped). Tokens are substrings of `text`.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.word_spans(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    /// [`Segmenter::words`] as byte ranges of `text`.
    pub fn word_spans(&self, text: &str) -> Vec<(usize, usize)> {
        let span = |w: &str| {
            let a = w.as_ptr() as usize - text.as_ptr() as usize;
            (a, a + w.len())
        };
        if self.dictionary {
            return icu::words(text).into_iter().map(span).collect();
        }
        let mut toks = Vec::new();
        self.tokenizer.tokens(text, &mut toks);
        toks.iter()
            .map(|t| pyws::strip(&text[t.start..t.end]))
            .filter(|w| !w.is_empty())
            .map(span)
            .collect()
    }

    /// datatrove's `split_into_sentences`: the text cut after the last token of each of spaCy's
    /// sentences (so whitespace between sentences starts the next part), the last part running
    /// to the end of the text. Never empty.
    pub fn sentences<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut toks: Vec<Tok> = Vec::new();
        self.tokenizer.tokens(text, &mut toks);
        let mut parts = Vec::new();
        let mut from = 0;
        for start in sentences::starts(toks.iter().map(|t| &text[t.start..t.end])) {
            let end = toks[start - 1].end;
            parts.push(&text[from..end]);
            from = end;
        }
        parts.push(&text[from..]);
        parts
    }

    /// datatrove's sentence count for `text`: spaCy's sentencizer over all tokens (whitespace
    /// tokens included); at least 1.
    pub fn sentence_count(&self, text: &str) -> usize {
        let mut toks: Vec<Tok> = Vec::new();
        self.tokenizer.tokens(text, &mut toks);
        sentences::count(toks.iter().map(|t| &text[t.start..t.end]))
    }
}

#[cfg(test)]
mod tests;
