//! # thresh
//!
//! The pipeline runner: a pipeline file ([`config::PipelineFile`]) names the input (sources),
//! the steps and the output (sinks); [`run::run`] streams every input file through the
//! steps on all cores and writes the output directory:
//!
//! ```text
//! OUT/kept/00000-0000.jsonl.zst     documents every step kept (one shard series per input file)
//! OUT/dropped/00000-0000.jsonl.zst  documents a step dropped, with `thresh.dropped_by` and `thresh.reason`
//! OUT/errors.jsonl                  one line per unreadable record: file, line, offset, message
//! OUT/stats.json                    read / kept / dropped per step / errored, chars, wall time, throughput
//! OUT/.thresh/                      run state: the run's fingerprint, per-file completion markers
//! ```
//!
//! Each input file is finished (its shards renamed into place, then its completion marker
//! written) or redone from scratch, so a killed run resumes to the same output.
//!
//! ```no_run
//! let file = thresh::config::PipelineFile::load("examples/quickstart.toml".as_ref()).unwrap();
//! let report = thresh::run::run(&file, &thresh::registry(), &Default::default(), &thresh::run::NoProgress).unwrap();
//! println!("kept {} of {}", report.stats.kept, report.stats.read);
//! ```

#![warn(missing_docs)]

pub mod config;
pub mod explain;
pub mod html_report;
mod layout;

pub use layout::ClaimError;
pub mod plan;
pub mod ranks;
pub mod report;
pub mod run;
pub mod slurm;

use thresh_core::StepRegistry;

/// A registry with every built-in step type.
pub fn registry() -> StepRegistry {
    let mut registry = StepRegistry::new();
    thresh_text::register(&mut registry);
    thresh_langid::register(&mut registry);
    thresh_dedup::register(&mut registry);
    thresh_extract::register(&mut registry);
    registry
}
