//! The [`Pipeline`]: configured steps in order, and how one document goes through them.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::error::ConfigError;
use crate::registry::{parse_params, StepConfig, StepRegistry};
use crate::{Document, Reason, Stats, Step, StepCx, Verdict};

/// How a step's drop verdicts are applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    /// Drop verdicts remove the document (the default).
    #[default]
    Filter,
    /// Nothing is dropped: every signal is recorded under `thresh.<name>` and a drop verdict is
    /// recorded as `thresh.<name>.would_drop`, so thresholds can be chosen from data.
    Annotate,
}

/// One configured step.
pub struct PipelineStep {
    /// Its unique name (defaults to its type).
    pub name: String,
    /// Its type, as registered.
    pub ty: String,
    /// Filter or annotate.
    pub mode: StepMode,
    step: Box<dyn Step>,
    cx: StepCx,
}

/// The result of running a document through the pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every step kept it.
    Kept,
    /// Step number `step` (0-based) dropped it for `reason`.
    Dropped {
        /// Index of the step that dropped the document.
        step: usize,
        /// Why.
        reason: Reason,
    },
}

/// Generic keys of a `[[step]]` table, handled here rather than by the step.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Generic {
    #[serde(rename = "type")]
    ty: String,
    name: Option<String>,
    #[serde(default)]
    mode: StepMode,
}

const GENERIC_KEYS: [&str; 3] = ["type", "name", "mode"];

/// The configured steps, in order.
#[derive(Default)]
pub struct Pipeline {
    steps: Vec<PipelineStep>,
}

impl Pipeline {
    /// Builds a pipeline from `[[step]]` tables, with relative paths resolved against the
    /// current directory.
    pub fn from_tables(
        registry: &StepRegistry,
        tables: &[toml::Table],
    ) -> Result<Self, ConfigError> {
        Self::from_tables_in(registry, tables, Path::new("."))
    }

    /// Builds a pipeline from `[[step]]` tables; relative paths in parameters are resolved
    /// against `base_dir` (the pipeline file's directory).
    pub fn from_tables_in(
        registry: &StepRegistry,
        tables: &[toml::Table],
        base_dir: &Path,
    ) -> Result<Self, ConfigError> {
        let mut steps = Vec::with_capacity(tables.len());
        let mut names = HashSet::new();
        for (i, table) in tables.iter().enumerate() {
            let context = format!("step {} ", i + 1);
            let (generic_table, params): (toml::Table, toml::Table) = table
                .clone()
                .into_iter()
                .partition(|(k, _)| GENERIC_KEYS.contains(&k.as_str()));
            if !generic_table.contains_key("type") {
                return Err(ConfigError::Missing {
                    context: format!("step {}", i + 1),
                    key: "type".into(),
                });
            }
            let generic: Generic = parse_params(&format!("step {}", i + 1), &generic_table)?;
            let name = generic.name.unwrap_or_else(|| generic.ty.clone());
            if !names.insert(name.clone()) {
                return Err(ConfigError::Invalid {
                    context: format!("step {}", i + 1),
                    message: format!(
                        "the name `{name}` is used by an earlier step; give each step of the same type its own `name`"
                    ),
                });
            }
            let config = StepConfig {
                name: name.clone(),
                params,
                base_dir: base_dir.to_owned(),
            };
            let step =
                registry.build(&generic.ty, &format!("{context}({})", generic.ty), &config)?;
            steps.push(PipelineStep {
                cx: StepCx {
                    name: name.clone(),
                    record_signals: generic.mode == StepMode::Annotate,
                },
                name,
                ty: generic.ty,
                mode: generic.mode,
                step,
            });
        }
        Ok(Pipeline { steps })
    }

    /// The configured steps, in order.
    pub fn steps(&self) -> &[PipelineStep] {
        &self.steps
    }

    /// Runs `doc` through every step until one drops it, updating `stats` (which must come
    /// from [`Stats::for_pipeline`] of this pipeline): `kept`, `dropped`, `chars_in`,
    /// `chars_out` and the per-step figures; `read` and `errored` are the reader's. A dropped
    /// document's annotations get `dropped_by` and `reason`.
    pub fn process(&self, doc: &mut Document, stats: &mut Stats) -> Outcome {
        let mut chars = doc.text.chars().count() as u64;
        stats.chars_in += chars;
        for (i, ps) in self.steps.iter().enumerate() {
            let st = &mut stats.steps[i];
            st.seen += 1;
            let len_before = doc.text.len();
            let verdict = ps.step.process(doc, &ps.cx);
            if doc.text.len() != len_before {
                let after = doc.text.chars().count() as u64;
                st.modified += 1;
                st.chars_removed += chars as i64 - after as i64;
                chars = after;
            }
            if let Verdict::Drop(reason) = verdict {
                *st.reasons.entry(reason.name().to_owned()).or_default() += 1;
                match ps.mode {
                    StepMode::Annotate => {
                        st.flagged += 1;
                        doc.step_annotations(&ps.name)
                            .insert("would_drop".into(), reason.as_str().into());
                    }
                    StepMode::Filter => {
                        st.dropped += 1;
                        *stats.dropped.entry(ps.name.clone()).or_default() += 1;
                        doc.annotations
                            .insert("dropped_by".into(), ps.name.as_str().into());
                        doc.annotations
                            .insert("reason".into(), reason.as_str().into());
                        return Outcome::Dropped { step: i, reason };
                    }
                }
            }
        }
        stats.kept += 1;
        stats.chars_out += chars;
        Outcome::Kept
    }
}
