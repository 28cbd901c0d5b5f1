//! FineWeb-2's per-language filter settings (huggingface/fineweb-2 `configs/*.yml`, Apache-2.0;
//! see `data/fineweb2/README.md`), for the quality steps' `preset = "fineweb2"`.
//!
//! FineWeb-2 adapts the Gopher repetition, Gopher quality and FineWeb thresholds and the stop
//! words to each of 1,929 language-script pairs. [`for_language`] finds a language's settings
//! from `de`, `deu` or `deu_Latn`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// Which defaults a quality step applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Exactly datatrove's behaviour: the step's own parameters, datatrove's defaults unless
    /// set, English stop words whatever the language (the compatibility switch).
    Datatrove,
    /// Language-aware (the default): FineWeb-2's settings for the document's language where
    /// FineWeb-2 has them — its thresholds and stop words replace the step's, and the checks
    /// FineWeb-2 disables are disabled; the step's parameters for other languages (English
    /// among them) and for documents of unknown language.
    #[default]
    Fineweb2,
}

/// One language's FineWeb-2 settings.
#[derive(Clone, Debug, Deserialize)]
pub struct LanguageSettings {
    /// GopherRepetition `dup_line_frac`.
    pub dup_line_frac: f64,
    /// GopherRepetition `dup_n_grams`.
    pub dup_n_grams: Vec<(usize, f64)>,
    /// GopherRepetition `top_n_grams`.
    pub top_n_grams: Vec<(usize, f64)>,
    /// FineWeb `line_punct_thr`.
    pub line_punct_thr: f64,
    /// FineWeb `new_line_ratio`.
    pub new_line_ratio: f64,
    /// GopherQuality `min_avg_word_length`.
    pub min_avg_word_length: f64,
    /// GopherQuality `max_avg_word_length`.
    pub max_avg_word_length: f64,
    /// GopherQuality `max_non_alpha_words_ratio`.
    pub max_non_alpha_words_ratio: f64,
    /// GopherQuality `stop_words`.
    pub stopwords: Vec<String>,
    /// The language-ID confidence FineWeb-2 requires.
    pub language_score: f64,
}

struct Tables {
    settings: HashMap<String, LanguageSettings>,
    codes: HashMap<String, String>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut raw: HashMap<String, serde_json::Value> =
            serde_json::from_str(include_str!("../data/fineweb2/thresholds.json"))
                .expect("bundled FineWeb-2 table parses");
        raw.remove("_source");
        let settings = raw
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    serde_json::from_value(v).expect("bundled FineWeb-2 entry has every key"),
                )
            })
            .collect();
        let codes = serde_json::from_str(include_str!("../data/fineweb2/languages.json"))
            .expect("bundled code table parses");
        Tables { settings, codes }
    })
}

/// FineWeb-2's settings for a language code (`de`, `deu` or `deu_Latn`), with the config key.
pub fn for_language(code: &str) -> Option<(&'static str, &'static LanguageSettings)> {
    let t = tables();
    let key = t.codes.get(code).map(String::as_str).unwrap_or(code);
    t.settings.get_key_value(key).map(|(k, v)| (k.as_str(), v))
}

/// A step's parameters with FineWeb-2's settings for a language applied, made once per
/// language (and step) the first time a document of that language arrives, not per document.
pub struct PresetCache<P> {
    made: std::sync::RwLock<HashMap<&'static str, std::sync::Arc<P>>>,
}

impl<P> Default for PresetCache<P> {
    fn default() -> Self {
        PresetCache {
            made: std::sync::RwLock::new(HashMap::new()),
        }
    }
}

impl<P> PresetCache<P> {
    /// The parameters a quality step applies to a document of `language`: FineWeb-2's
    /// settings for it made into the step's parameters by `make` (once per language), when
    /// `preset` is [`Preset::Fineweb2`] and FineWeb-2 covers the language (recorded as the
    /// `preset` signal); else none (the step's own parameters apply).
    pub fn get(
        &self,
        preset: Preset,
        language: &str,
        checks: &mut crate::checks::Checks,
        make: impl FnOnce(&LanguageSettings) -> P,
    ) -> Option<std::sync::Arc<P>> {
        if preset != Preset::Fineweb2 {
            return None;
        }
        let (key, settings) = for_language(language)?;
        checks.signal("preset", format!("fineweb2:{key}"));
        if let Some(made) = self.made.read().expect("not poisoned").get(key) {
            return Some(made.clone());
        }
        let made = std::sync::Arc::new(make(settings));
        self.made
            .write()
            .expect("not poisoned")
            .insert(key, made.clone());
        Some(made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_settings_from_any_code() {
        let (key, de) = for_language("de").unwrap();
        assert_eq!(key, "deu_Latn");
        assert_eq!(for_language("deu").unwrap().0, "deu_Latn");
        assert_eq!(for_language("deu_Latn").unwrap().0, "deu_Latn");
        // Values of configs/deu_Latn.yml.
        assert_eq!(de.dup_line_frac, 0.263);
        assert_eq!(de.min_avg_word_length, 0.0);
        assert_eq!(de.stopwords[..3], ["der", "und", "die"]);
        // FineWeb-2 has no English config.
        assert!(for_language("en").is_none());
    }
}
