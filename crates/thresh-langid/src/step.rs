//! `language`: identifies each document's language and keeps the languages asked for, with
//! datatrove's `LanguageFilter` semantics.
//!
//! Annotations: `thresh.lang` (ISO 639-1 code, else 639-3; `und` when undetermined),
//! `thresh.lang_score` in [0, 1], `thresh.lang_script` (ISO 15924) and `thresh.lang_top`, the
//! `top_k` best languages with their scores (or every one above `keep_top_pairs_threshold`). A
//! document is kept when one of `languages` scores above `language_threshold` (the best
//! language when the list is empty), or always with `label_only`.
//!
//! With `model`, a fastText language-ID model (lid.176, GlotLID, …) replaces the built-in one.
//! The text is predicted as datatrove does (newlines replaced by spaces, every label scored);
//! labels become thresh codes (see `labels.rs`): `thresh.lang` is `de` for both `__label__de`
//! and `__label__deu_Latn`, `thresh.lang_detail` the model's own code where it differs (`deu`,
//! `arb`), `thresh.lang_script` the label's script (labels without one write none), and
//! `thresh.lang_top` is keyed by the model's labels (`deu_Latn`), as datatrove's
//! `top_language_*_score`. Scores are fastText's `f32` probabilities, unrounded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};

use crate::detect::detect_with;
use crate::fasttext::FastText;
use crate::labels::{self, ModelLanguage};
use crate::languages::{self, LANGUAGES};
use crate::model_file;

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
    /// When not -1 (datatrove's "off"), `thresh.lang_top` lists every language scoring above
    /// it instead of the `top_k` best (only those of `languages`, when given), as datatrove's
    /// `keep_top_pairs_threshold`.
    pub keep_top_pairs_threshold: f64,
    /// `"fineweb2"`: a document is kept when its language's score reaches FineWeb-2's
    /// `language_score` for that language (`>=`, as FineWeb-2's filter compares), looked up
    /// by the model's label when it has a script (`deu_Latn`); languages without a FineWeb-2
    /// configuration use `language_threshold`.
    pub per_language_threshold: Option<PerLanguage>,
    /// A fastText language-ID model file (`.bin` or `.ftz`; relative to the pipeline file) to
    /// use instead of the built-in model.
    pub model: Option<PathBuf>,
    /// Built-in model only (default `true`): text that no language explains well in absolute
    /// terms (too many nats per letter for the best language) goes to no language, so such
    /// a document is `und` with score 0 and a partly foreign one scores lower. `false`: the
    /// best of the 75 languages always wins, as before.
    pub abstain: bool,
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
            keep_top_pairs_threshold: -1.0,
            per_language_threshold: None,
            model: None,
            abstain: true,
        }
    }
}

/// A fastText language-ID model with its labels as thresh codes.
struct LidModel {
    fasttext: Arc<FastText>,
    languages: Vec<ModelLanguage>,
    /// Label indices of `languages` (the parameter), in its order.
    keep: Vec<usize>,
}

impl LidModel {
    fn new(fasttext: Arc<FastText>, codes: &[String], name: &str) -> Result<Self, ConfigError> {
        let iso1 = labels::labels_are_iso639_1(fasttext.labels().iter().map(String::as_str));
        let languages: Vec<ModelLanguage> = fasttext
            .labels()
            .iter()
            .map(|l| labels::model_language(l, iso1))
            .collect();
        let mut keep = Vec::new();
        for code in codes {
            // A label as written (`deu_Latn`, lid.176's `als`), else every label of the language.
            let exact: Vec<usize> = (0..languages.len())
                .filter(|&i| languages[i].label.eq_ignore_ascii_case(code.trim()))
                .collect();
            let found = match exact.is_empty() {
                false => exact,
                true => {
                    let normal = labels::normalize(code);
                    (0..languages.len())
                        .filter(|&i| languages[i].code == normal)
                        .collect()
                }
            };
            if found.is_empty() {
                return Err(ConfigError::Invalid {
                    context: format!("step `{name}`"),
                    message: format!("the model has no label for language `{code}`"),
                });
            }
            for i in found {
                if !keep.contains(&i) {
                    keep.push(i);
                }
            }
        }
        Ok(LidModel {
            fasttext,
            languages,
            keep,
        })
    }
}

/// The `language` step.
pub struct LanguageStep {
    keep: Vec<&'static str>,
    /// The `languages` parameter as given, for messages.
    listed: Vec<String>,
    model: Option<LidModel>,
    threshold: f64,
    per_language: Option<PerLanguage>,
    label_only: bool,
    top_k: usize,
    top_above: Option<f64>,
    abstain: bool,
}

/// The best language of a document and what decides it.
struct Outcome<'a> {
    code: &'a str,
    score: f64,
    /// The best score among `languages` (the best score when the list is empty).
    kept_score: f64,
    /// Whether the best language is one of `languages` (or the list is empty).
    listed: bool,
    top: Map<String, Value>,
    /// FineWeb-2's key for the language (`deu_Latn`) or thresh's code.
    fineweb2_key: &'a str,
}

impl LanguageStep {
    /// Checks the language codes and reads `model` (relative to `base_dir`); an unsupported
    /// code or an unreadable model is a configuration error naming it.
    pub fn new(params: LanguageParams, name: &str, base_dir: &Path) -> Result<Self, ConfigError> {
        let codes = match params.languages {
            Codes::All => Vec::new(),
            Codes::One(code) => vec![code],
            Codes::Many(codes) => codes,
        };
        let mut keep = Vec::new();
        let model = match &params.model {
            Some(path) => Some(LidModel::new(
                model_file::open(path, base_dir, name)?,
                &codes,
                name,
            )?),
            None => {
                for code in &codes {
                    let index = languages::find(code).ok_or_else(|| ConfigError::Invalid {
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
                None
            }
        };
        let listed = match &model {
            Some(_) => codes,
            None => keep.iter().map(|c| (*c).to_owned()).collect(),
        };
        Ok(LanguageStep {
            keep,
            listed,
            model,
            threshold: params.language_threshold,
            per_language: params.per_language_threshold,
            label_only: params.label_only,
            top_k: params.top_k.max(1),
            top_above: (params.keep_top_pairs_threshold != -1.0)
                .then_some(params.keep_top_pairs_threshold),
            abstain: params.abstain,
        })
    }

    /// The built-in model's outcome; annotates script.
    fn builtin(&self, doc: &mut Document) -> Outcome<'static> {
        let detection = detect_with(&doc.text, LANGUAGES.len(), self.abstain);
        let code = detection.code();
        let round = |s: f64| (s * 10_000.0).round() / 10_000.0;
        let listed = |c: &str| self.keep.is_empty() || self.keep.contains(&c);
        let top: Map<String, Value> = match self.top_above {
            Some(min) => detection
                .ranked
                .iter()
                .filter(|(l, s)| *s > min && listed(l.code))
                .map(|(l, s)| (l.code.to_owned(), round(*s).into()))
                .collect(),
            None => detection
                .ranked
                .iter()
                .take(self.top_k)
                .map(|(l, s)| (l.code.to_owned(), round(*s).into()))
                .collect(),
        };
        let kept_score = match self.keep.is_empty() {
            true => detection.score,
            false => detection
                .ranked
                .iter()
                .filter(|(l, _)| self.keep.contains(&l.code))
                .map(|(_, s)| *s)
                .fold(0.0, f64::max),
        };
        doc.annotations.insert(
            "lang_script".into(),
            detection.script.map_or("Zyyy", |s| s.iso15924()).into(),
        );
        Outcome {
            code,
            score: round(detection.score),
            kept_score,
            listed: listed(code),
            top,
            fineweb2_key: code,
        }
    }
}

/// A fastText model's outcome, as datatrove's `LanguageFilter` computes it; annotates script
/// and detail.
fn fasttext<'m>(step: &LanguageStep, model: &'m LidModel, doc: &mut Document) -> Outcome<'m> {
    let text = doc.text.replace('\n', " ");
    let langs = &model.languages;
    let (best, kept_score, top) = model_file::with_predictions(&model.fasttext, &text, |preds| {
        let score_of = |i: usize| {
            preds
                .iter()
                .find(|(j, _)| *j == i)
                .map_or(0.0, |(_, p)| f64::from(*p))
        };
        let top: Map<String, Value> = match (step.top_above, model.keep.is_empty()) {
            (Some(min), true) => preds
                .iter()
                .filter(|(_, p)| f64::from(*p) > min)
                .map(|&(i, p)| (langs[i].label.clone(), f64::from(p).into()))
                .collect(),
            (Some(min), false) => model
                .keep
                .iter()
                .map(|&i| (i, score_of(i)))
                .filter(|(_, p)| *p > min)
                .map(|(i, p)| (langs[i].label.clone(), p.into()))
                .collect(),
            (None, _) => preds
                .iter()
                .take(step.top_k)
                .map(|&(i, p)| (langs[i].label.clone(), f64::from(p).into()))
                .collect(),
        };
        let best = preds.first().map(|&(i, p)| (i, f64::from(p)));
        let kept_score = match model.keep.is_empty() {
            true => best.map_or(0.0, |(_, p)| p),
            false => model.keep.iter().map(|&i| score_of(i)).fold(0.0, f64::max),
        };
        (best, kept_score, top)
    });
    let Some((best, score)) = best else {
        return Outcome {
            code: "und",
            score: 0.0,
            kept_score,
            listed: model.keep.is_empty(),
            top,
            fineweb2_key: "und",
        };
    };
    let language = &langs[best];
    if let Some(script) = &language.script {
        doc.annotations
            .insert("lang_script".into(), script.as_str().into());
    }
    if let Some(detail) = &language.detail {
        doc.annotations
            .insert("lang_detail".into(), detail.as_str().into());
    }
    Outcome {
        code: &language.code,
        score,
        kept_score,
        listed: model.keep.is_empty() || model.keep.contains(&best),
        top,
        fineweb2_key: match language.script {
            Some(_) => &language.label,
            None => &language.code,
        },
    }
}

impl Step for LanguageStep {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let outcome = match &self.model {
            Some(model) => fasttext(self, model, doc),
            None => self.builtin(doc),
        };
        let Outcome {
            code,
            score,
            kept_score,
            listed,
            top,
            fineweb2_key,
        } = outcome;
        let a = &mut doc.annotations;
        a.insert("lang".into(), code.into());
        a.insert("lang_score".into(), score.into());
        a.insert("lang_top".into(), Value::Object(top.clone()));
        let filtered = !self.listed.is_empty();
        if cx.record_signals {
            cx.signal(doc, "lang", code);
            cx.signal(doc, "lang_score", score);
            cx.signal(doc, "top", Value::Object(top));
            if filtered {
                cx.signal(doc, "kept_language_score", kept_score);
            }
            let limit = format!("<= {}", self.threshold);
            let name = match filtered {
                false => "lang_score",
                true => "kept_language_score",
            };
            let limits = Map::from_iter([(name.to_owned(), Value::from(limit))]);
            cx.signal(doc, "limits", Value::Object(limits));
        }
        // FineWeb-2's threshold for the document's language, where it has one.
        let fineweb2 = match self.per_language {
            Some(PerLanguage::Fineweb2) => thresh_text::fineweb2::for_language(fineweb2_key)
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
        if listed {
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
                self.listed.join(", ")
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
            Path::new(""),
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
        LanguageStep::new(
            toml::from_str(toml_text).unwrap(),
            "language",
            Path::new(""),
        )
        .unwrap()
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
    fn text_of_no_supported_language_is_und_unless_abstention_is_off() {
        // Breton, which the built-in model does not cover.
        let breton = "Dec'h e oa aet ar vugale d'ar c'hoad gant o zad-kozh evit dastum kistin, \
            ha distroet int d'ar gêr pa oa kouezhet an noz.";
        let (verdict, doc) = run(&step(""), breton);
        assert_eq!(doc.annotations["lang"], "und");
        assert_eq!(verdict, Verdict::drop("language_score und 0.00 <= 0.65"));
        let (verdict, doc) = run(&step("abstain = false"), breton);
        assert_ne!(doc.annotations["lang"], "und");
        assert_eq!(verdict, Verdict::Keep);
        assert_eq!(run(&step(""), GERMAN).1.annotations["lang"], "de");
    }

    #[test]
    fn unsupported_codes_are_configuration_errors() {
        let err = LanguageStep::new(
            toml::from_str("languages = [\"xx\"]").unwrap(),
            "lid",
            Path::new(""),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("unsupported language `xx`"),
            "{err}"
        );
    }
}
