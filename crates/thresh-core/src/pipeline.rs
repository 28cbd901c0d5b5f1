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

/// What one step did to one document, for `thresh explain`.
#[derive(Clone, Debug)]
pub struct TraceStep {
    /// The step's name.
    pub name: String,
    /// The step's type.
    pub ty: String,
    /// Filter or annotate.
    pub mode: StepMode,
    /// The step's verdict (in annotate mode a drop verdict did not remove the document).
    pub verdict: Verdict,
    /// Every signal the step recorded (`thresh.<name>`), if any.
    pub signals: Option<serde_json::Value>,
    /// Lines present before the step and gone after it, in order.
    pub removed_lines: Vec<String>,
    /// Characters before and after the step.
    pub chars: (usize, usize),
    /// The step came after the one that dropped the document: `verdict` is what it would have
    /// said (a run stops at the first drop).
    pub after_decision: bool,
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

    /// Indices of the steps with a [`Barrier`](crate::Barrier), in order: the pipeline runs
    /// in one more pass than there are of them.
    pub fn barriers(&self) -> Vec<usize> {
        (0..self.steps.len())
            .filter(|&i| self.steps[i].step.barrier().is_some())
            .collect()
    }

    /// The barrier of step `index`, if it has one.
    pub fn barrier(&self, index: usize) -> Option<&dyn crate::Barrier> {
        self.steps.get(index).and_then(|s| s.step.barrier())
    }

    /// The steps of pass `pass`: from the barrier that ends the previous pass (included, it
    /// applies its decisions) to the next barrier (excluded) or the end.
    pub fn pass_range(&self, pass: usize) -> std::ops::Range<usize> {
        let barriers = self.barriers();
        let start = if pass == 0 { 0 } else { barriers[pass - 1] };
        let end = barriers.get(pass).copied().unwrap_or(self.steps.len());
        start..end
    }

    /// Runs `doc` through every step until one drops it, updating `stats` (which must come
    /// from [`Stats::for_pipeline`] of this pipeline): `kept`, `dropped`, `chars_in`,
    /// `chars_out` and the per-step figures; `read` and `errored` are the reader's. A dropped
    /// document's annotations get `dropped_by` and `reason`.
    pub fn process(&self, doc: &mut Document, stats: &mut Stats) -> Outcome {
        self.process_steps(doc, stats, 0..self.steps.len())
    }

    /// Like [`Pipeline::process`] for the steps in `range` only (one pass of a pipeline with
    /// barriers): `chars_in` is counted when the range starts at the first step, `kept` and
    /// `chars_out` when it ends at the last.
    pub fn process_steps(
        &self,
        doc: &mut Document,
        stats: &mut Stats,
        range: std::ops::Range<usize>,
    ) -> Outcome {
        let mut chars = doc.text.chars().count() as u64;
        if range.start == 0 {
            stats.chars_in += chars;
        }
        let last = range.end == self.steps.len();
        for (i, ps) in self
            .steps
            .iter()
            .enumerate()
            .take(range.end)
            .skip(range.start)
        {
            let st = &mut stats.steps[i];
            st.seen += 1;
            let len_before = doc.text.len();
            let verdict = ps.step.process(doc, &ps.cx);
            let tokens = doc
                .annotations
                .get("tokens")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            st.tokens_seen += tokens;
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
                        st.tokens_dropped += tokens;
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
        if last {
            stats.kept += 1;
            stats.chars_out += chars;
        }
        Outcome::Kept
    }

    /// Runs `doc` through the steps like [`Pipeline::process`], but with every step recording
    /// its signals, and returns what each step did. Past the step that dropped the document
    /// (`thresh.dropped_by`, where a run stops), every later step still runs on the text as it
    /// was then, and its trace says what it would have decided ([`TraceStep::after_decision`]).
    pub fn trace(&self, doc: &mut Document) -> Vec<TraceStep> {
        let mut trace = Vec::new();
        let mut decided = false;
        for ps in &self.steps {
            if ps.step.barrier().is_some() {
                // Deduplication decides over the whole corpus, which one document cannot show.
                trace.push(TraceStep {
                    name: ps.name.clone(),
                    ty: ps.ty.clone(),
                    mode: ps.mode,
                    verdict: Verdict::Keep,
                    signals: Some(serde_json::json!({
                        "note": "decided over the whole corpus by `thresh run`"
                    })),
                    removed_lines: Vec::new(),
                    chars: (doc.text.chars().count(), doc.text.chars().count()),
                    after_decision: decided,
                });
                continue;
            }
            let before = doc.text.clone();
            let cx = StepCx {
                name: ps.name.clone(),
                record_signals: true,
            };
            let verdict = ps.step.process(doc, &cx);
            // Lines are compared with their whitespace collapsed, so a line a step only
            // re-spaced (normalize, strip) does not count as removed.
            let key = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut after: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for line in doc.text.lines() {
                *after.entry(key(line)).or_default() += 1;
            }
            let removed_lines = before
                .lines()
                .filter(|line| match after.get_mut(&key(line)) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => !line.trim().is_empty(),
                })
                .map(str::to_owned)
                .collect();
            let dropped = matches!(verdict, Verdict::Drop(_)) && ps.mode == StepMode::Filter;
            if let Verdict::Drop(reason) = &verdict {
                if dropped && !decided {
                    doc.annotations
                        .insert("dropped_by".into(), ps.name.as_str().into());
                    doc.annotations
                        .insert("reason".into(), reason.as_str().into());
                } else {
                    doc.step_annotations(&ps.name)
                        .insert("would_drop".into(), reason.as_str().into());
                }
            }
            trace.push(TraceStep {
                name: ps.name.clone(),
                ty: ps.ty.clone(),
                mode: ps.mode,
                verdict,
                signals: doc.annotations.get(&ps.name).cloned(),
                removed_lines,
                chars: (before.chars().count(), doc.text.chars().count()),
                after_decision: decided,
            });
            decided |= dropped;
        }
        trace
    }
}
