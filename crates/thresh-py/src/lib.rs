//! `thresh._thresh`: the Rust side of the Python package (`python/thresh`). Values cross as
//! JSON text and plain lists so the Python layer stays thin; batches run without the GIL on
//! several threads.

use std::path::Path;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::{json, Value};
use thresh_core::{Document, Outcome, Pipeline as CorePipeline, Stats, Verdict};

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A pipeline of per-document steps built from `[[step]]` tables given as a JSON list.
#[pyclass(frozen)]
struct Pipeline {
    inner: CorePipeline,
}

/// The document a step sees: text, optional id and language, optional metadata.
fn document(text: String, lang: Option<String>, id: Option<String>) -> Document {
    let mut doc = Document::new(id.unwrap_or_default(), text);
    if let Some(lang) = lang {
        doc.annotations.insert("lang".into(), lang.into());
    }
    doc
}

#[pymethods]
impl Pipeline {
    /// Builds the steps from a JSON list of step tables, or with `toml` from TOML text with
    /// `[[step]]` tables; relative paths resolve against `base_dir`.
    #[new]
    #[pyo3(signature = (steps, base_dir = ".", toml = false))]
    fn new(steps: &str, base_dir: &str, toml: bool) -> PyResult<Self> {
        let tables: Vec<toml::Table> = if toml {
            let mut table: toml::Table = steps.parse().map_err(value_error)?;
            match table.remove("step") {
                None => Vec::new(),
                Some(value) => value.try_into().map_err(value_error)?,
            }
        } else {
            serde_json::from_str(steps).map_err(value_error)?
        };
        let inner = CorePipeline::from_tables_in(&thresh::registry(), &tables, Path::new(base_dir))
            .map_err(value_error)?;
        Ok(Pipeline { inner })
    }

    /// Whether a step decides over the whole corpus (deduplication): such pipelines run with
    /// `thresh.run`, not document by document.
    fn has_barriers(&self) -> bool {
        !self.inner.barriers().is_empty()
    }

    /// One document through every step with signals recorded: JSON with `keep`, `reason`,
    /// `dropped_by`, `text`, `annotations` and per step `verdict`, `signals`, `removed_lines` and
    /// `after_decision` (a step after the one that dropped it: what it would have said).
    #[pyo3(signature = (text, lang = None, id = None))]
    fn trace(&self, text: String, lang: Option<String>, id: Option<String>) -> String {
        let mut doc = document(text, lang, id);
        let trace = self.inner.trace(&mut doc);
        let steps: Vec<Value> = trace
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "type": t.ty,
                    "verdict": match &t.verdict {
                        Verdict::Keep => Value::from("keep"),
                        Verdict::Drop(reason) => Value::from(reason.as_str()),
                    },
                    "signals": t.signals.clone().unwrap_or(Value::Null),
                    "removed_lines": t.removed_lines,
                    "after_decision": t.after_decision,
                })
            })
            .collect();
        let reason = doc.annotations.get("reason").cloned();
        let dropped_by = doc.annotations.get("dropped_by").cloned();
        json!({
            "keep": dropped_by.is_none(),
            "reason": reason,
            "dropped_by": dropped_by,
            "text": doc.text,
            "annotations": doc.annotations,
            "steps": steps,
        })
        .to_string()
    }

    /// Many documents, in order, on `threads` threads (0: one per core) without the GIL.
    /// Returns kept flags, texts and drop reasons (`step: reason`, None when kept) as lists,
    /// and, with `annotations`, the annotations as one JSON array of objects (else `[]`).
    #[pyo3(signature = (texts, langs = None, threads = 0, annotations = true))]
    #[allow(clippy::type_complexity)]
    fn process_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        langs: Option<Vec<Option<String>>>,
        threads: usize,
        annotations: bool,
    ) -> PyResult<(Vec<bool>, Vec<String>, Vec<Option<String>>, String)> {
        if self.has_barriers() {
            return Err(PyRuntimeError::new_err(
                "deduplication steps decide over the whole corpus: run the pipeline with thresh.run",
            ));
        }
        if langs.as_ref().is_some_and(|l| l.len() != texts.len()) {
            return Err(PyValueError::new_err("langs must have one entry per text"));
        }
        let pipeline = &self.inner;
        Ok(py.detach(move || {
            let n = texts.len();
            let langs = langs.into_iter().flatten().chain(std::iter::repeat(None));
            let mut docs: Vec<Document> = texts
                .into_iter()
                .zip(langs)
                .map(|(text, lang)| document(text, lang, None))
                .collect();
            let threads = if threads == 0 {
                std::thread::available_parallelism().map_or(1, |t| t.get())
            } else {
                threads
            };
            let chunk = n.div_ceil(threads.max(1)).max(1);
            let mut outcomes: Vec<Option<String>> = vec![None; n];
            std::thread::scope(|scope| {
                for (docs, outcomes) in docs.chunks_mut(chunk).zip(outcomes.chunks_mut(chunk)) {
                    scope.spawn(move || {
                        let mut stats = Stats::for_pipeline(pipeline);
                        for (doc, outcome) in docs.iter_mut().zip(outcomes.iter_mut()) {
                            if let Outcome::Dropped { step, reason } =
                                pipeline.process(doc, &mut stats)
                            {
                                let name = &pipeline.steps()[step].name;
                                *outcome = Some(format!("{name}: {}", reason.as_str()));
                            }
                        }
                    });
                }
            });
            let keep = outcomes.iter().map(Option::is_none).collect();
            let mut out_texts = Vec::with_capacity(n);
            let mut out_annotations = Vec::with_capacity(if annotations { n } else { 0 });
            for doc in docs {
                if annotations {
                    out_annotations.push(Value::Object(doc.annotations));
                }
                out_texts.push(doc.text);
            }
            // One JSON array for the batch: one parse on the Python side.
            let out_annotations = Value::Array(out_annotations).to_string();
            (keep, out_texts, outcomes, out_annotations)
        }))
    }
}

/// Runs a whole pipeline file (TOML text, or with `json` the same tables as JSON; relative
/// paths against `base_dir`), as `thresh run` does, without the GIL; returns `stats.json` as
/// JSON text.
#[pyfunction]
#[pyo3(signature = (config, base_dir, output = None, threads = 0, overwrite = false, json = false))]
fn run(
    py: Python<'_>,
    config: &str,
    base_dir: &str,
    output: Option<String>,
    threads: usize,
    overwrite: bool,
    json: bool,
) -> PyResult<String> {
    let toml_text = if json {
        let table: toml::Table = serde_json::from_str(config).map_err(value_error)?;
        toml::to_string(&table).map_err(value_error)?
    } else {
        config.to_owned()
    };
    let mut file = thresh::config::PipelineFile::from_toml(&toml_text, Path::new(base_dir))
        .map_err(value_error)?;
    // As `thresh run --output`: a relative path against the working directory.
    if let Some(output) = output {
        file.set_output(&output).map_err(value_error)?;
    }
    let options = thresh::run::RunOptions::new(threads, false, overwrite, None);
    let report = py
        .detach(|| {
            thresh::run::run(
                &file,
                &thresh::registry(),
                &options,
                &thresh::run::NoProgress,
            )
        })
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(serde_json::to_string(&report).expect("report serializes"))
}

/// The registered step types and their one-line descriptions.
#[pyfunction]
fn step_types() -> Vec<(String, String)> {
    thresh::registry()
        .types()
        .map(|(t, d)| (t.to_owned(), d.to_owned()))
        .collect()
}

#[pymodule]
fn _thresh(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pipeline>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(step_types, m)?)?;
    Ok(())
}
