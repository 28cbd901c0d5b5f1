//! `language`: identifies each document's language and keeps the languages asked for, with
//! datatrove's `LanguageFilter` semantics.
//!
//! Annotations: `thresh.lang` (ISO 639-1 code, else 639-3; `und` when undetermined),
//! `thresh.lang_score` in [0, 1], `thresh.lang_script` (ISO 15924) and `thresh.lang_top`, the
//! `top_k` best languages with their scores. A document is kept when one of `languages` scores
//! above `language_threshold` (all languages when the list is empty), or always with
//! `label_only`.

use serde::Deserialize;
use serde_json::{Map, Value};
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

use crate::detect::detect;
use crate::languages::{self, LANGUAGES};

/// One code or a list of codes, as datatrove accepts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum Codes {
    /// No restriction.
    #[default]
    All,
    /// One code.
    One(String),
    /// Several codes.
    Many(Vec<String>),
}

/// Parameters of `language`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageParams {
    /// Languages to keep: ISO 639-1 (`de`), 639-3 as datatrove writes them (`deu`) or GlotLID
    /// labels (`deu_Latn`). Empty: every language.
    pub languages: Codes,
    /// A kept language must score above this (datatrove's default 0.65).
    pub language_threshold: f64,
    /// Only annotate, never drop.
    pub label_only: bool,
    /// How many ranked languages `thresh.lang_top` lists.
    pub top_k: usize,
}

impl Default for LanguageParams {
    fn default() -> Self {
        LanguageParams {
            languages: Codes::All,
            language_threshold: 0.65,
            label_only: false,
            top_k: 3,
        }
    }
}

/// The `language` step.
pub struct LanguageStep {
    keep: Vec<&'static str>,
    threshold: f64,
    label_only: bool,
    top_k: usize,
}

impl LanguageStep {
    /// Checks the language codes; an unsupported one is a configuration error naming it.
    pub fn new(params: LanguageParams, name: &str) -> Result<Self, ConfigError> {
        let codes = match params.languages {
            Codes::All => Vec::new(),
            Codes::One(code) => vec![code],
            Codes::Many(codes) => codes,
        };
        let mut keep = Vec::new();
        for code in codes {
            let index = languages::find(&code).ok_or_else(|| ConfigError::Invalid {
                context: format!("step `{name}`"),
                message: format!(
                    "unsupported language `{code}`; supported: {}",
                    LANGUAGES
                        .iter()
                        .map(|l| l.code)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            })?;
            keep.push(LANGUAGES[index].code);
        }
        Ok(LanguageStep {
            keep,
            threshold: params.language_threshold,
            label_only: params.label_only,
            top_k: params.top_k.max(1),
        })
    }
}

impl Step for LanguageStep {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let detection = detect(&doc.text, LANGUAGES.len());
        let code = detection.code();
        let score = (detection.score * 10_000.0).round() / 10_000.0;
        let top: Map<String, Value> = detection
            .ranked
            .iter()
            .take(self.top_k)
            .map(|(l, s)| {
                (
                    l.code.to_owned(),
                    ((s * 10_000.0).round() / 10_000.0).into(),
                )
            })
            .collect();
        let kept_score = if self.keep.is_empty() {
            detection.score
        } else {
            detection
                .ranked
                .iter()
                .filter(|(l, _)| self.keep.contains(&l.code))
                .map(|(_, s)| *s)
                .fold(0.0, f64::max)
        };
        let a = &mut doc.annotations;
        a.insert("lang".into(), code.into());
        a.insert("lang_score".into(), score.into());
        a.insert(
            "lang_script".into(),
            detection.script.map_or("Zyyy", |s| s.iso15924()).into(),
        );
        a.insert("lang_top".into(), Value::Object(top.clone()));
        if cx.record_signals {
            cx.signal(doc, "lang", code);
            cx.signal(doc, "lang_score", score);
            cx.signal(doc, "top", Value::Object(top));
            if !self.keep.is_empty() {
                cx.signal(doc, "kept_language_score", kept_score);
            }
            let limit = format!("<= {}", self.threshold);
            let name = if self.keep.is_empty() {
                "lang_score"
            } else {
                "kept_language_score"
            };
            let limits = Map::from_iter([(name.to_owned(), Value::from(limit))]);
            cx.signal(doc, "limits", Value::Object(limits));
        }
        if self.label_only || kept_score > self.threshold {
            return Verdict::Keep;
        }
        if self.keep.is_empty() || self.keep.contains(&code) {
            Verdict::drop(format_args!(
                "language_score {code} {score:.2} <= {}",
                self.threshold
            ))
        } else {
            Verdict::drop(format_args!(
                "language {code} {score:.2} not in [{}]",
                self.keep.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(toml_text: &str) -> LanguageStep {
        LanguageStep::new(toml::from_str(toml_text).unwrap(), "language").unwrap()
    }

    fn run(step: &LanguageStep, text: &str) -> (Verdict, Document) {
        let mut doc = Document::new("d", text);
        let cx = StepCx {
            name: "language".into(),
            record_signals: false,
        };
        (step.process(&mut doc, &cx), doc)
    }

    const GERMAN: &str = "Die Bundesregierung hat am Mittwoch einen Gesetzentwurf beschlossen, \
        der die Förderung von Wärmepumpen in Mietwohnungen neu regeln soll.";
    const ENGLISH: &str = "The council voted on Tuesday to extend the opening hours of the \
        public library through the winter months.";

    #[test]
    fn annotates_language_score_script_and_alternatives() {
        let (verdict, doc) = run(&step(""), GERMAN);
        assert_eq!(verdict, Verdict::Keep);
        assert_eq!(doc.annotations["lang"], "de");
        assert_eq!(doc.annotations["lang_script"], "Latn");
        let score = doc.annotations["lang_score"].as_f64().unwrap();
        assert!(score > 0.9, "{score}");
        let top = doc.annotations["lang_top"].as_object().unwrap();
        assert_eq!(top.keys().next().map(String::as_str), Some("de"));
        assert!(top.len() <= 3);
    }

    #[test]
    fn keeps_listed_languages_in_any_spelling() {
        let s = step("languages = [\"deu\", \"fr\"]");
        assert_eq!(run(&s, GERMAN).0, Verdict::Keep);
        let (verdict, doc) = run(&s, ENGLISH);
        assert_eq!(doc.annotations["lang"], "en");
        let Verdict::Drop(reason) = verdict else {
            panic!("English kept")
        };
        assert_eq!(reason.name(), "language");
        assert!(reason.as_str().ends_with("not in [de, fr]"), "{reason}");
        let one = step("languages = \"en\"");
        assert_eq!(run(&one, ENGLISH).0, Verdict::Keep);
    }

    #[test]
    fn text_without_letters_is_und_and_dropped_unless_label_only() {
        let (verdict, doc) = run(&step(""), "12345 — 678 !!!");
        assert_eq!(doc.annotations["lang"], "und");
        assert_eq!(doc.annotations["lang_score"], 0.0);
        assert_eq!(verdict, Verdict::drop("language_score und 0.00 <= 0.65"));
        assert_eq!(run(&step("label_only = true"), "12345").0, Verdict::Keep);
    }

    #[test]
    fn unsupported_codes_are_configuration_errors() {
        let err = LanguageStep::new(toml::from_str("languages = [\"xx\"]").unwrap(), "lid")
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("unsupported language `xx`"),
            "{err}"
        );
    }
}
