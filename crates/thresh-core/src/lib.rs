//! # thresh-core
//!
//! The vocabulary every other thresh crate speaks:
//!
//! - a [`Document`] is one record of the corpus: its id, its text, the input's metadata (kept
//!   byte-for-byte) and thresh's own annotations;
//! - a [`Step`] looks at one document, may rewrite its text or annotate it, and returns a
//!   [`Verdict`]: keep it, or drop it with a [`Reason`];
//! - a [`Pipeline`] is the ordered list of configured steps, built from TOML tables by a
//!   [`StepRegistry`];
//! - [`engine::run_ordered`] streams batches through the pipeline on many threads with bounded
//!   memory and hands results back in input order, so output never depends on the thread count;
//! - [`Stats`] accounts for every document: `read = kept + dropped + errored`.
//!
//! Sources and sinks (readers and writers) live in `thresh-io`; the steps themselves in
//! `thresh-text` and later crates.
//!
//! ```
//! use thresh_core::{Document, Pipeline, StepRegistry, Outcome};
//!
//! struct NonEmpty;
//! impl thresh_core::Step for NonEmpty {
//!     fn process(&self, doc: &mut Document, _cx: &thresh_core::StepCx) -> thresh_core::Verdict {
//!         if doc.text.trim().is_empty() {
//!             thresh_core::Verdict::drop(format_args!("empty_text {} chars", doc.text.len()))
//!         } else {
//!             thresh_core::Verdict::Keep
//!         }
//!     }
//! }
//!
//! let mut registry = StepRegistry::new();
//! registry.register("non_empty", "drop documents that are only whitespace", |_params| {
//!     Ok(Box::new(NonEmpty))
//! });
//! let table: toml::Table = toml::from_str(r#"type = "non_empty""#).unwrap();
//! let pipeline = Pipeline::from_tables(&registry, &[table]).unwrap();
//! let mut doc = Document::new("a", "  ");
//! let mut stats = thresh_core::Stats::for_pipeline(&pipeline);
//! assert!(matches!(pipeline.process(&mut doc, &mut stats), Outcome::Dropped { .. }));
//! ```

#![warn(missing_docs)]

mod barrier;
mod document;
pub mod engine;
mod error;
mod pipeline;
mod registry;
mod stats;
mod step;
pub mod suggest;

pub use barrier::{Barrier, BarrierError, BarrierWork, WorkUnit};
pub use document::{Derived, Document, Origin};
pub use error::ConfigError;
pub use pipeline::{Outcome, Pipeline, PipelineStep, StepMode, TraceStep};
pub use registry::{parse_params, StepRegistry};
pub use stats::{merge_groups, Metric, StatGroups, Stats, StepStats, TOP_K_GROUP_KEYS};
pub use step::{Reason, Step, StepCx, Verdict};
