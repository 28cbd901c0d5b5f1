//! The embedded spaCy tables (`data/spacy/*.json`; see the README there).

use std::collections::HashMap;

use serde::Deserialize;

/// The spaCy 3.8 `spacy.blank(lang)` tokenizer settings of one language.
#[derive(Deserialize)]
pub(crate) struct LangTables {
    /// `^p1|^p2|…` (Python `re` syntax).
    pub prefix_regex: Option<String>,
    /// `s1$|s2$|…`.
    pub suffix_regex: Option<String>,
    /// `i1|i2|…`.
    pub infix_regex: Option<String>,
    /// Chunks that are never split (fr, tr).
    pub token_match_regex: Option<String>,
    /// URLs and e-mail addresses (kept whole after affix splitting).
    pub url_match_regex: Option<String>,
    /// Tokenizer exceptions: string → token texts (which concatenate to the string).
    pub rules: HashMap<String, Vec<String>>,
    /// Rule strings that affix/infix splitting would break apart or that contain a space; they
    /// are re-merged by the special-case matcher.
    pub special_matcher_keys: Vec<String>,
}

/// Tables shared by all languages.
#[derive(Deserialize)]
pub(crate) struct Common {
    /// spaCy's `Sentencizer.default_punct_chars`.
    pub sentencizer_punct_chars: String,
    /// datatrove language key → spaCy language, for the keys that resolve to one of the
    /// dumped languages other than `xx`.
    pub tokenizer_assignment: HashMap<String, String>,
}

/// The spaCy languages with embedded tables; `xx` (multi-language) is the fallback.
pub(crate) const LANGS: [&str; 16] = [
    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "cs", "sv", "da", "fi", "tr", "xx",
];

/// Index of `xx` in [`LANGS`].
pub(crate) const XX: usize = 15;

fn raw(lang: &str) -> &'static str {
    match lang {
        "en" => include_str!("../../data/spacy/en.json"),
        "de" => include_str!("../../data/spacy/de.json"),
        "fr" => include_str!("../../data/spacy/fr.json"),
        "es" => include_str!("../../data/spacy/es.json"),
        "it" => include_str!("../../data/spacy/it.json"),
        "pt" => include_str!("../../data/spacy/pt.json"),
        "nl" => include_str!("../../data/spacy/nl.json"),
        "pl" => include_str!("../../data/spacy/pl.json"),
        "ru" => include_str!("../../data/spacy/ru.json"),
        "uk" => include_str!("../../data/spacy/uk.json"),
        "cs" => include_str!("../../data/spacy/cs.json"),
        "sv" => include_str!("../../data/spacy/sv.json"),
        "da" => include_str!("../../data/spacy/da.json"),
        "fi" => include_str!("../../data/spacy/fi.json"),
        "tr" => include_str!("../../data/spacy/tr.json"),
        _ => include_str!("../../data/spacy/xx.json"),
    }
}

/// Parses the embedded tables of `lang` (one of [`LANGS`]).
pub(crate) fn load(lang: &str) -> LangTables {
    serde_json::from_str(raw(lang)).expect("embedded spaCy tables are valid JSON")
}

/// Parses the shared tables.
pub(crate) fn common() -> Common {
    serde_json::from_str(include_str!("../../data/spacy/common.json"))
        .expect("embedded common tables are valid JSON")
}
