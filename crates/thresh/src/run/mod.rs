//! [`run`]: a pipeline file's input, through its steps, into its output directory.
//!
//! The input files are grouped into work units ([`units`]). The source thread reads
//! them as chunks of raw records, worker threads parse, process and serialize them, and the
//! calling thread writes them to the shards of their unit in input order
//! ([`thresh_core::engine::run_ordered`]). When a unit's last chunk is written, its shards
//! are completed (renamed into place), its error records saved and its completion marker
//! written; a rerun skips marked units and redoes the others from scratch. At the end,
//! `errors.jsonl` and `stats.json` are assembled from the per-unit records.

mod doc_stats;
mod finish;
mod options;
mod pass;
mod resolve;
pub mod units;
mod worker;

pub use options::{Files, NoProgress, Part, Progress, RunError, RunOptions};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::{self};
use std::rc::Rc;
use std::time::Instant;

use thresh_core::{BarrierWork, Stats, WorkUnit};
use thresh_io::read::inputs::{expand_inputs, input_extensions, InputFile};
use thresh_io::write::ShardSpec;
use xxhash_rust::xxh3::xxh3_128;

use crate::config::PipelineFile;
use crate::layout::{file_prefix, ClaimError, FileRecord, Layout, Manifest};
use crate::report::{FileCounts, RunReport};
use finish::{completed_stats, merge_errors, run_complete};
use options::{check_part, io_err};
use pass::{run_pass, Pass};
use resolve::{resolve_barrier, resolve_part};
use units::{Done, UnitLimits};

/// Runs the pipeline file and returns what `stats.json` says.
///
/// A pipeline without barrier steps is one pass: input → steps → `kept/`. With barriers
/// (deduplication), pass `k` runs the steps between barrier `k - 1` and barrier `k`, sets the
/// surviving documents aside and lets barrier `k` observe them; the barrier resolves, and pass
/// `k + 1` continues from the documents set aside. Every pass is resumable file by file.
pub fn run(
    file: &PipelineFile,
    registry: &thresh_core::StepRegistry,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let pipeline = file.build(registry)?;
    let output = file.output_plan()?;
    let inputs = expand_inputs(
        &file.input.patterns(&file.base_dir)?,
        &file.base_dir,
        &input_extensions(),
    )?;
    let layout =
        Layout::open(&file.output.path, &file.base_dir).map_err(|source| ClaimError::Io {
            output: file.output.path.clone(),
            source,
        })?;
    // Held until the run returns.
    let _lock = layout.lock(options.only.is_some())?;
    layout.prepare(&manifest(file, &inputs), options.mode)?;
    let pull_state = || {
        layout.pull_state().map_err(|source| RunError::Store {
            output: layout.name(),
            source,
        })
    };
    pull_state()?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let barriers = pipeline.barriers();
    let passes = barriers.len() + 1;
    let n = inputs.len() as u32;
    let names: Vec<String> = inputs.iter().map(|f| f.name.clone()).collect();
    let limits = UnitLimits {
        bytes: file.input.unit_bytes,
        files: file.input.unit_files,
    };
    let done_of = |pass: usize| {
        Done::load(&layout, pass, pass + 1 == passes, n).map_err(io_err(layout.root()))
    };
    // Pass 0's work units, read from its markers the first time a resolve or a later pass
    // needs them (pass 0 is over by then: in this process, or as `check_part` made sure), and
    // kept for the rest of the run.
    let units_of_pass0: RefCell<Option<Rc<Done>>> = RefCell::new(None);
    let settle_units = || -> Result<Rc<Done>, RunError> {
        if let Some(done) = units_of_pass0.borrow().as_ref() {
            return Ok(done.clone());
        }
        let done = Rc::new(done_of(0)?);
        *units_of_pass0.borrow_mut() = Some(done.clone());
        Ok(done)
    };
    let work_with = |b: usize, units: Vec<WorkUnit>| {
        let pass = barriers.iter().position(|&x| x == b).expect("a barrier");
        BarrierWork {
            dir: layout.barrier_dir(&pipeline.steps()[b].name),
            units,
            threads,
            staged: layout.stage_dir(pass),
        }
    };
    // Observations and decisions are per work unit of pass 0.
    let work_of = |b: usize| -> Result<BarrierWork, RunError> {
        Ok(work_with(b, settle_units()?.work_units()))
    };
    check_part(
        options.only.as_ref(),
        passes,
        n,
        &pipeline,
        &layout,
        &done_of,
    )?;
    let mut this_run = Stats::for_pipeline(&pipeline);
    let mut processed_files = 0u64;
    let mut resumed = 0u64;
    let mut summaries = serde_json::Map::new();
    for pass_index in 0..passes {
        let last = pass_index + 1 == passes;
        let run_pass_here = match &options.only {
            None => true,
            Some(Part::Pass { pass, .. }) => *pass == pass_index,
            Some(Part::Resolve { .. }) => false,
        };
        let resolve_here = match &options.only {
            None => true,
            Some(Part::Resolve { pass, .. }) => *pass == pass_index,
            Some(Part::Pass { .. }) => false,
        };
        if !run_pass_here {
            if resolve_here && !last {
                let b = barriers[pass_index];
                if let Some(Part::Resolve {
                    part: Some((part, parts)),
                    ..
                }) = options.only
                {
                    resolve_part(&pipeline, &layout, b, part, parts, &work_of)?;
                } else {
                    summaries.insert(
                        pipeline.steps()[b].name.clone(),
                        resolve_barrier(&pipeline, &layout, b, &work_of)?,
                    );
                }
            }
            continue;
        }
        if pass_index > 0 {
            let b = barriers[pass_index - 1];
            let barrier = pipeline.barrier(b).expect("a barrier step");
            let work = work_of(b)?;
            let decisions = work.decisions_dir();
            layout
                .store()
                .pull_dir(&decisions)
                .map_err(io_err(&decisions))?;
            barrier.open(&work).map_err(|e| RunError::Barrier {
                step: pipeline.steps()[b].name.clone(),
                message: format!("could not open its decisions: {e}"),
            })?;
        }
        let selection = match &options.only {
            Some(Part::Pass { files, .. }) => files.clone(),
            _ => Files::All,
        };
        let done = done_of(pass_index)?;
        // What unfinished attempts at this task's units left behind goes first.
        layout
            .sweep_unfinished(pass_index, last, &|id| {
                selection.contains(id) && !done.has(id)
            })
            .map_err(io_err(layout.root()))?;
        let order = selection.order(n);
        if last {
            resumed += order.iter().filter(|&&i| done.covers(i)).count() as u64;
        }
        let todo: Vec<units::Unit> = if pass_index == 0 {
            units::form(&order, |i| inputs[i as usize].size, &done, limits)
        } else {
            settle_units()?
                .units()
                .filter(|u| selection.contains(u.id) && !done.has(u.id))
                .collect()
        };
        let mut pending = Vec::new();
        let mut unit_files = BTreeMap::new();
        for unit in todo {
            let id = unit.id;
            if pass_index == 0 {
                let files = unit
                    .files
                    .iter()
                    .map(|&i| (i, inputs[i as usize].clone()))
                    .collect();
                pending.push((id, files));
                unit_files.insert(id, unit.files);
                continue;
            }
            // Later passes read what the previous one set aside; a unit with nothing set
            // aside is finished at once.
            let staged = ShardSpec {
                dir: layout.stage_dir(pass_index - 1),
                prefix: file_prefix(id),
                compression: file.output.shard_compression(),
                level: file.output.level,
                max_docs: 0,
                max_bytes: 0,
            }
            .part_path(0);
            let input = &inputs[id as usize];
            if layout.store().pull(&staged).map_err(io_err(&staged))? {
                let staged_input = InputFile {
                    name: input.name.clone(),
                    size: fs::metadata(&staged).map_or(0, |m| m.len()),
                    path: staged,
                    relative: input.relative.clone(),
                };
                pending.push((id, vec![(id, staged_input)]));
                unit_files.insert(id, unit.files);
            } else {
                let record = FileRecord {
                    name: input.name.clone(),
                    files: unit.files,
                    stats: Stats::for_pipeline(&pipeline),
                };
                layout
                    .mark_pass_done(pass_index, last, id, &record)
                    .map_err(io_err(layout.root()))?;
            }
        }
        if last {
            processed_files = unit_files.values().map(|f: &Vec<u32>| f.len() as u64).sum();
        }
        let pass = Pass {
            index: pass_index,
            last,
            layout: &layout,
            // Pass 0 observes while its units are still being finished: what the markers
            // said when it began serves, as the pass only needs the step's directories.
            barrier_work: match (last, pass_index) {
                (true, _) => None,
                (false, 0) => Some(work_with(barriers[0], done.work_units())),
                (false, _) => Some(work_of(barriers[pass_index])?),
            },
            units: unit_files,
            output: &output,
        };
        run_pass(
            file,
            &pipeline,
            &pass,
            &names,
            pending,
            threads,
            options,
            progress,
            &mut this_run,
        )?;
        if !last && resolve_here {
            let b = barriers[pass_index];
            summaries.insert(
                pipeline.steps()[b].name.clone(),
                resolve_barrier(&pipeline, &layout, b, &work_of)?,
            );
        }
    }
    let files = FileCounts {
        total: inputs.len() as u64,
        processed: processed_files,
        resumed,
    };
    let report = |stats: Stats, barriers| {
        let wall_seconds = started.elapsed().as_secs_f64();
        RunReport {
            files: files.clone(),
            threads,
            wall_seconds,
            docs_per_second: this_run.read as f64 / wall_seconds.max(1e-9),
            mb_per_second: this_run.bytes_in as f64 / 1e6 / wall_seconds.max(1e-9),
            stats,
            barriers,
        }
    };
    // Barriers resolved by earlier invocations contribute their summaries too.
    for &b in &barriers {
        let name = &pipeline.steps()[b].name;
        if !summaries.contains_key(name) {
            if let Ok(bytes) = fs::read(layout.resolved_path(name)) {
                summaries.insert(
                    name.clone(),
                    serde_json::from_slice(&bytes).unwrap_or_default(),
                );
            }
        }
    }
    if let Some(Part::Pass {
        pass,
        files: Files::Rank { rank, world_size },
    }) = &options.only
    {
        if *pass + 1 == passes {
            // The rank's own stats, over every pass of its files, for `thresh merge-stats`.
            let files = Files::Rank {
                rank: *rank,
                world_size: *world_size,
            };
            let stats = completed_stats(&layout, &pipeline, passes, &files, &inputs)?;
            let mut rank_report = report(stats, summaries.clone());
            rank_report.files.total = files.order(n).len() as u64;
            let path = layout.rank_stats_path(*rank, *world_size);
            let json = serde_json::to_vec_pretty(&rank_report).expect("report serializes");
            layout.store().write(&path, &json).map_err(io_err(&path))?;
        }
    }
    if options.only.is_some() {
        // Other tasks may have finished the rest meanwhile.
        pull_state()?;
    }
    if options.only.is_some() && !run_complete(&layout, passes, n)? {
        // A part of the run: its own figures; the run's stats.json comes with the last part.
        return Ok(report(this_run.clone(), summaries));
    }

    let total = completed_stats(&layout, &pipeline, passes, &Files::All, &inputs)?;
    let first_pass_units: Vec<u32> = done_of(0)?.records().map(|(id, _)| id).collect();
    merge_errors(&layout, &first_pass_units)?;
    let report = report(total, summaries);
    let json = serde_json::to_vec_pretty(&report).expect("report serializes");
    layout
        .store()
        .write(&layout.stats_path(), &json)
        .map_err(io_err(&layout.stats_path()))?;
    // The documents set aside between passes are no longer needed.
    let stage = layout.stage_root();
    layout.store().remove_dir(&stage).map_err(io_err(&stage))?;
    Ok(report)
}

/// The run's identity: the canonical pipeline file and the input list with sizes.
fn manifest(file: &PipelineFile, inputs: &[InputFile]) -> Manifest {
    let mut identity = file.canonical.clone();
    for input in inputs {
        identity.push_str(&format!("\n{}\t{}", input.name, input.size));
    }
    Manifest {
        fingerprint: format!("{:032x}", xxh3_128(identity.as_bytes())),
        files: inputs.iter().map(|f| f.name.clone()).collect(),
    }
}
