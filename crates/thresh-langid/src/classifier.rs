//! `fasttext_classifier`: datatrove's `FastTextClassifierFilter` — scores the document (or
//! each paragraph or sentence) with a fastText classifier and keeps it by label scores.
//!
//! A unit is kept when one of `keep_labels` scores at least its minimum, or when none of
//! `remove_labels` does (every unit, with neither: then the step only annotates). Units are
//! predicted as datatrove does: `strip()`ped, `\n` replaced by `newline_replacement`, every
//! label scored. The document's text becomes its kept units joined; it is dropped (with its
//! text as it came) when that is blank. With `save_labels_in_metadata`, `thresh.<step name>.<label>` (label without
//! `__label__`) is the label's mean probability over the units.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use thresh_core::{ConfigError, Document, Step, StepCx, Verdict};
use thresh_text::pystr;
use thresh_text::segment::Segmenter;

use crate::fasttext::FastText;
use crate::model_file;

/// One `(label, minimum score)` pair or a list of them, as datatrove accepts.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum LabelScores {
    /// `["hq", 0.5]`.
    One(String, f64),
    /// `[["hq", 0.5], ["math", 0.9]]`.
    Many(Vec<(String, f64)>),
}

impl LabelScores {
    fn into_vec(self) -> Vec<(String, f64)> {
        match self {
            LabelScores::One(label, min) => vec![(label, min)],
            LabelScores::Many(pairs) => pairs,
        }
    }
}

/// What is predicted and filtered: datatrove's `filter_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum FilterMode {
    /// The whole document.
    #[default]
    #[serde(rename = "DOCUMENT", alias = "document")]
    Document,
    /// Lines, blank lines joined to the line before (datatrove's `split_into_parts`).
    #[serde(rename = "PARAGRAPH", alias = "paragraph")]
    Paragraph,
    /// English sentences as datatrove splits them (spaCy's sentencizer, see
    /// `thresh_text::segment`).
    #[serde(rename = "SENTENCE", alias = "sentence")]
    Sentence,
}

/// Parameters of `fasttext_classifier`, with datatrove's names and defaults.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifierParams {
    /// The fastText model file (relative to the pipeline file). Required.
    pub model: Option<PathBuf>,
    /// Keep a unit when one of these labels (without `__label__`) scores at least its minimum.
    pub keep_labels: Option<LabelScores>,
    /// Keep a unit when none of these labels scores at least its minimum.
    pub remove_labels: Option<LabelScores>,
    /// Annotate each label's mean score (datatrove's default: true).
    pub save_labels_in_metadata: bool,
    /// What `\n` becomes before predicting (datatrove's default: nothing).
    pub newline_replacement: String,
    /// `DOCUMENT`, `PARAGRAPH` or `SENTENCE`.
    pub filter_mode: FilterMode,
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams {
            model: None,
            keep_labels: None,
            remove_labels: None,
            save_labels_in_metadata: true,
            newline_replacement: String::new(),
            filter_mode: FilterMode::Document,
        }
    }
}

/// Which labels decide.
enum Rule {
    Keep(Vec<(usize, f64)>),
    Remove(Vec<(usize, f64)>),
    Annotate,
}

/// The `fasttext_classifier` step.
pub struct ClassifierStep {
    model: Arc<FastText>,
    /// Labels without `__label__`, by label index.
    names: Vec<String>,
    rule: Rule,
    save: bool,
    newline_replacement: String,
    mode: FilterMode,
}

impl ClassifierStep {
    /// Reads the model (relative to `base_dir`) and checks the labels against it.
    pub fn new(params: ClassifierParams, name: &str, base_dir: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            context: format!("step `{name}`"),
            message,
        };
        let path = params.model.ok_or_else(|| ConfigError::Missing {
            context: format!("step `{name}`"),
            key: "model".into(),
        })?;
        let model = model_file::open(&path, base_dir, name)?;
        let names: Vec<String> = model
            .labels()
            .iter()
            .map(|l| l.strip_prefix("__label__").unwrap_or(l).to_owned())
            .collect();
        let resolve = |pairs: LabelScores| {
            pairs
                .into_vec()
                .into_iter()
                .map(
                    |(label, min)| match names.iter().position(|n| *n == label) {
                        Some(i) => Ok((i, min)),
                        None => Err(invalid(format!(
                            "label `{label}` is not in the model; its labels: {}",
                            names.join(" ")
                        ))),
                    },
                )
                .collect::<Result<Vec<_>, _>>()
        };
        let rule = match (params.keep_labels, params.remove_labels) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "give `keep_labels` or `remove_labels`, not both".into(),
                ))
            }
            (Some(keep), None) => Rule::Keep(resolve(keep)?),
            (None, Some(remove)) => Rule::Remove(resolve(remove)?),
            (None, None) => Rule::Annotate,
        };
        Ok(ClassifierStep {
            model,
            names,
            rule,
            save: params.save_labels_in_metadata,
            newline_replacement: params.newline_replacement,
            mode: params.filter_mode,
        })
    }

    /// Whether a unit with these probabilities (by label index, −∞ for a label without a
    /// prediction) is kept, and the first label that decided against it.
    fn judge(&self, scores: &[f32]) -> Result<(), (usize, f64, f64)> {
        let score = |i: usize| f64::from(scores[i]);
        match &self.rule {
            Rule::Annotate => Ok(()),
            Rule::Keep(pairs) => match pairs.iter().any(|&(i, min)| score(i) >= min) {
                true => Ok(()),
                false => Err((pairs[0].0, score(pairs[0].0), pairs[0].1)),
            },
            Rule::Remove(pairs) => match pairs.iter().find(|&&(i, min)| score(i) >= min) {
                Some(&(i, min)) => Err((i, score(i), min)),
                None => Ok(()),
            },
        }
    }
}

/// datatrove's `split_into_parts(text, "PARAGRAPH")`: Python `splitlines()`, each line
/// followed by `\n` except the last, blank lines joined to the paragraph before.
fn paragraphs(text: &str) -> Vec<String> {
    let lines = pystr::splitlines(text);
    let mut parts = Vec::new();
    // datatrove's `next_line` list: non-empty once a line is in it, even an empty line.
    let mut next: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if !pystr::strip(line).is_empty() {
            parts.extend(next.take());
        }
        let part = next.get_or_insert_with(String::new);
        part.push_str(line);
        if i + 1 != lines.len() {
            part.push('\n');
        }
    }
    parts.extend(next);
    parts
}

impl Step for ClassifierStep {
    fn process(&self, doc: &mut Document, cx: &StepCx) -> Verdict {
        let labels = self.names.len();
        // Per label: sum of its probabilities and the number of units that scored it.
        let mut sums = vec![(0.0f64, 0usize); labels];
        let mut scores = vec![f32::NEG_INFINITY; labels];
        let mut kept = String::new();
        let mut removed = 0usize;
        let mut against = None;
        let units: Vec<Cow<str>> = match self.mode {
            FilterMode::Document => vec![Cow::Borrowed(doc.text.as_str())],
            FilterMode::Paragraph => paragraphs(&doc.text).into_iter().map(Cow::Owned).collect(),
            FilterMode::Sentence => Segmenter::for_language("en")
                .sentences(&doc.text)
                .into_iter()
                .map(Cow::Borrowed)
                .collect(),
        };
        for unit in &units {
            let text = pystr::strip(unit).replace('\n', &self.newline_replacement);
            // A text without a known word or n-gram gets no prediction (no label scores).
            scores.iter_mut().for_each(|s| *s = f32::NEG_INFINITY);
            model_file::with_predictions(&self.model, &text, |preds| {
                for &(i, p) in preds {
                    scores[i] = p;
                    sums[i].0 += f64::from(p);
                    sums[i].1 += 1;
                }
            });
            match self.judge(&scores) {
                Ok(()) => kept.push_str(unit),
                Err(reason) => {
                    removed += 1;
                    against.get_or_insert(reason);
                }
            }
        }
        let count = units.len();
        drop(units);
        if self.save && sums.iter().any(|&(_, n)| n > 0) {
            let a = doc.step_annotations(&cx.name);
            for (name, &(sum, n)) in self.names.iter().zip(&sums) {
                if n > 0 {
                    a.insert(name.clone(), Value::from(sum / n as f64));
                }
            }
        }
        if self.mode != FilterMode::Document {
            cx.signal(doc, "units", count);
            cx.signal(doc, "removed_units", removed);
        }
        if !pystr::strip(&kept).is_empty() {
            doc.text = kept;
            return Verdict::Keep;
        }
        // Dropped: the text stays as it came, for the dropped output and `thresh explain`.
        match (against, self.mode) {
            (Some((i, score, min)), FilterMode::Document) => {
                let name = &self.names[i];
                match self.rule {
                    Rule::Remove(_) => {
                        Verdict::drop(format_args!("remove_labels {name} {score:.4} >= {min}"))
                    }
                    _ => Verdict::drop(format_args!("keep_labels {name} {score:.4} < {min}")),
                }
            }
            _ => Verdict::drop(format_args!(
                "no_kept_text {removed} of {count} units removed"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_as_datatrove() {
        // Hand-worked from datatrove's split_into_parts(mode="PARAGRAPH").
        assert_eq!(paragraphs("a\nb"), ["a\n", "b"]);
        assert_eq!(paragraphs("a\n\n  \nb\n"), ["a\n\n  \n", "b"]);
        assert_eq!(paragraphs("\n\na\r\nb"), ["\n\n", "a\n", "b"]);
        assert_eq!(paragraphs("\n"), [""]);
        assert!(paragraphs("").is_empty());
    }

    #[test]
    fn label_pairs_parse_one_or_many() {
        let one: ClassifierParams = toml::from_str("keep_labels = [\"hq\", 0.5]").unwrap();
        assert_eq!(
            one.keep_labels.unwrap().into_vec(),
            [("hq".to_owned(), 0.5)]
        );
        let many: ClassifierParams = toml::from_str(
            "remove_labels = [[\"a\", 0.1], [\"b\", 0.2]]\nfilter_mode = \"SENTENCE\"",
        )
        .unwrap();
        assert_eq!(many.remove_labels.unwrap().into_vec().len(), 2);
        assert_eq!(many.filter_mode, FilterMode::Sentence);
        assert!(toml::from_str::<ClassifierParams>("filter_mode = \"WORDS\"").is_err());
    }
}
