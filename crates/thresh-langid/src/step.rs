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
    /// `"fineweb2"`: a document is kept when its language's score reaches FineWeb-2's
    /// `language_score` for that language (`>=`, as FineWeb-2's filter compares); languages
    /// without a FineWeb-2 configuration use `language_threshold`.
    pub per_language_threshold: Option<PerLanguage>,
}

/// Where per-language thresholds come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PerLanguage {
    /// FineWeb-2's published configurations (`language_score`).
    Fineweb2,
}

impl Default for LanguageParams {
    fn default() -> Self {
        LanguageParams {
            languages: Codes::All,
            language_threshold: 0.65,
            label_only: false,
            top_k: 3,
            per_language_threshold: None,
        }
    }
}

/// The `language` step.
pub struct LanguageStep {
    keep: Vec<&'static str>,
    threshold: f64,
    per_language: Option<PerLanguage>,
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
            per_language: params.per_language_threshold,
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
        // FineWeb-2's threshold for the document's language, where it has one.
        let fineweb2 = match self.per_language {
            Some(PerLanguage::Fineweb2) => thresh_text::fineweb2::for_language(code)
                .map(|(key, settings)| (key, settings.language_score)),
            None => None,
        };
        let passes = match fineweb2 {
            Some((_, min)) => {
                cx.signal(doc, "fineweb2_language_score", min);
                kept_score >= min
            }
            None => kept_score > self.threshold,
        };
        if self.label_only || passes {
            return Verdict::Keep;
        }
        if self.keep.is_empty() || self.keep.contains(&code) {
            match fineweb2 {
                Some((key, min)) => Verdict::drop(format_args!(
                    "language_score {code} {score:.2} < {min} ({key})"
                )),
                None => Verdict::drop(format_args!(
                    "language_score {code} {score:.2} <= {}",
                    self.threshold
                )),
            }
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

    #[test]
    fn fineweb2_thresholds_per_language() {
        let step = LanguageStep::new(
            LanguageParams {
                per_language_threshold: Some(PerLanguage::Fineweb2),
                ..Default::default()
            },
            "language",
        )
        .unwrap();
        let cx = StepCx {
            name: "language".into(),
            record_signals: true,
        };
        // A clear German text passes FineWeb-2's 0.821 for deu_Latn.
        let mut doc = Document::new("de", "Der Verein lädt am Samstag zu seinem Sommerfest auf den Sportplatz hinter der Turnhalle ein, mit Kuchen und einem Turnier der Jugendmannschaften.");
        assert_eq!(step.process(&mut doc, &cx), Verdict::Keep);
        assert_eq!(
            doc.annotations["language"]["fineweb2_language_score"],
            0.821
        );
        // English has no FineWeb-2 configuration: `language_threshold` applies.
        let mut doc = Document::new("en", "The ferry to the islands now runs every hour during the summer months, the harbour authority said.");
        assert_eq!(step.process(&mut doc, &cx), Verdict::Keep);
        assert!(doc.annotations["language"]
            .get("fineweb2_language_score")
            .is_none());
    }

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
