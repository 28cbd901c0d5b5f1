//! [`run`]: a pipeline file's input, through its steps, into its output directory.
//!
//! The input files are grouped into work units ([`crate::units`]). The source thread reads
//! them as chunks of raw records, worker threads parse, process and serialize them, and the
//! calling thread writes them to the shards of their unit in input order
//! ([`thresh_core::engine::run_ordered`]). When a unit's last chunk is written, its shards
//! are completed (renamed into place), its error records saved and its completion marker
//! written; a rerun skips marked units and redoes the others from scratch. At the end,
//! `errors.jsonl` and `stats.json` are assembled from the per-unit records.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use thresh_core::engine::run_ordered;
use thresh_core::{BarrierWork, ConfigError, Origin, Outcome, Pipeline, Stats};
use thresh_io::atomic::temp_path;
use thresh_io::compression::Compression;
use thresh_io::inputs::{expand_inputs, input_extensions, InputError, InputFile};
use thresh_io::jsonl::{parse_record, write_record, FieldNames};
use thresh_io::lines::{Batch, Item};
use thresh_io::shards::{ShardSpec, ShardWriter};
use xxhash_rust::xxh3::xxh3_128;

use crate::config::{OutputFormat, PipelineFile};
use crate::layout::{file_prefix, FileRecord, Layout, Manifest, ResumeMode};
use crate::report::{FileCounts, RunReport};
use crate::source::{Chunk, UnitChunks};
use crate::units::{self, Done, UnitLimits};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Fail on the first unreadable record instead of recording it and going on.
    pub strict: bool,
    /// Resume a previous run in the output directory, or overwrite it.
    pub mode: ResumeMode,
    /// Run only this part (a cluster task); the whole run when `None`.
    pub only: Option<Part>,
}

/// The input files one task takes, as positions in the sorted input list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Files {
    /// Every input file.
    All,
    /// These positions.
    List(Vec<u32>),
    /// datatrove's assignment: file `i` belongs to rank `i % world_size`, whatever machine
    /// runs the task.
    Rank {
        /// This task's rank, from 0.
        rank: u32,
        /// How many ranks share the input.
        world_size: u32,
    },
}

impl Files {
    /// Whether input file `i` is this task's.
    pub fn contains(&self, i: u32) -> bool {
        match self {
            Files::All => true,
            Files::List(list) => list.contains(&i),
            Files::Rank { rank, world_size } => i % world_size == *rank,
        }
    }

    /// This task's files among `inputs`, in the order it reads them.
    pub fn order(&self, inputs: u32) -> Vec<u32> {
        match self {
            Files::All => (0..inputs).collect(),
            Files::List(list) => {
                let mut list: Vec<u32> = list.iter().copied().filter(|&i| i < inputs).collect();
                list.sort_unstable();
                list.dedup();
                list
            }
            Files::Rank { rank, world_size } => (*rank..inputs)
                .step_by((*world_size).max(1) as usize)
                .collect(),
        }
    }
}

/// A part of a run with barrier steps, so that a cluster can run the passes as separate tasks:
/// every pass over any subset of the input files in parallel, then each barrier's resolve once.
/// A later plain run (or the last part) finds everything done and writes `stats.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Pass `pass` over the input files `files` selects (every file with `Files::All`). The previous
    /// pass must be complete for them, and its barrier resolved.
    Pass {
        /// The pass (0 reads the input).
        pass: usize,
        /// The input files this task takes.
        files: Files,
    },
    /// The resolve of the barrier that ends pass `pass` (needs that pass complete for every
    /// input file), or one part of it, for barriers whose resolve splits (MinHash: the
    /// candidate pairs of a range of bands, as datatrove's bucket tasks) — the whole resolve
    /// then joins the parts.
    Resolve {
        /// The pass the barrier ends.
        pass: usize,
        /// This task's part and how many there are; the whole resolve when `None`.
        part: Option<(u32, u32)>,
    },
}

/// Receives progress while a run goes on. All methods have empty defaults.
pub trait Progress: Sync {
    /// The run starts: `raw_bytes` of input (as stored, compressed or not) in `files` files.
    fn start(&self, _raw_bytes: u64, _files: u64) {}
    /// Totals so far: documents read, raw bytes read, uncompressed bytes read.
    fn update(&self, _docs: u64, _raw_bytes: u64, _bytes: u64) {}
    /// The run has ended.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A step's configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The input paths could not be listed.
    #[error(transparent)]
    Inputs(#[from] InputError),
    /// The output directory cannot be used.
    #[error("{0}")]
    Output(String),
    /// Writing the output failed.
    #[error("writing `{path}`: {source}")]
    Io {
        /// What was being written.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// `--strict` and an input record could not be read.
    #[error("--strict: {file} line {line} (byte {offset}): {message}")]
    Strict {
        /// The input file.
        file: String,
        /// Its line.
        line: u64,
        /// Uncompressed byte offset.
        offset: u64,
        /// What was wrong.
        message: String,
    },
}

fn io_err(path: &std::path::Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Lines of serialized documents, with where each ends (for shard limits).
#[derive(Default)]
struct Lines {
    data: Vec<u8>,
    ends: Vec<usize>,
    /// `data` compressed as one frame by the worker (when the output is compressed).
    encoded: Option<Vec<u8>>,
}

/// A chunk after the workers: serialized output and the chunk's accounting.
struct Processed {
    unit: u32,
    last: bool,
    /// Kept documents by partition (`""` when the output is not partitioned), in order of
    /// first appearance.
    kept: Vec<(String, Lines)>,
    dropped: Lines,
    /// Documents that passed this pass's steps and wait at a barrier for the next pass.
    staged: Lines,
    /// The barrier step's observations of the staged documents, in order.
    observed: Vec<u8>,
    errors: Vec<u8>,
    /// The first unreadable record: input file, line, offset, message.
    first_error: Option<(u32, u64, u64, String)>,
    stats: Stats,
}

/// The key under which a document set aside at a barrier keeps its original origin.
const ORIGIN_KEY: &str = "thresh_origin";

/// Everything a worker needs, shared read-only.
struct Work<'a> {
    pipeline: &'a Pipeline,
    fields: FieldNames,
    names: Vec<String>,
    empty_stats: Stats,
    write_dropped: bool,
    encode: ShardSpec,
    partition_by: Option<String>,
    /// The format finished shards are left in.
    format: OutputFormat,
    /// The pass: its steps, and the barrier step that ends it (none for the last pass).
    pass: usize,
    steps: std::ops::Range<usize>,
    barrier: Option<&'a dyn thresh_core::Barrier>,
}

/// The partition (sub-directory of `kept/`) of a document: its `thresh.<key>` annotation,
/// reduced to a safe directory name; `und` when it has none.
fn partition(doc: &thresh_core::Document, key: &str) -> String {
    let value = match doc.annotations.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let safe = crate::layout::safe_name(&value);
    if safe.is_empty() || safe.chars().all(|c| c == '_') {
        "und".into()
    } else {
        safe
    }
}

/// Writes `doc` for the next pass, with its origin (which the next pass cannot know from the
/// staged file's line numbers).
fn stage_record(lines: &mut Lines, doc: &mut thresh_core::Document) {
    let origin = serde_json::value::to_raw_value(&[doc.origin.file as u64, doc.origin.record])
        .expect("two numbers serialize");
    doc.extra.push((ORIGIN_KEY.to_owned(), origin));
    write_record(&mut lines.data, doc);
    lines.ends.push(lines.data.len());
}

/// The origin of a document read back from a staged file.
fn restore_origin(mut doc: thresh_core::Document) -> Result<thresh_core::Document, String> {
    let at = doc
        .extra
        .iter()
        .position(|(k, _)| k == ORIGIN_KEY)
        .ok_or("a staged document without its origin")?;
    let (_, raw) = doc.extra.remove(at);
    let [file, record]: [u64; 2] =
        serde_json::from_str(raw.get()).map_err(|e| format!("bad staged origin: {e}"))?;
    doc.origin = Origin {
        file: file as u32,
        record,
    };
    Ok(doc)
}

impl Work<'_> {
    /// Runs one document through the pass's steps and files it: kept (by partition), dropped,
    /// or set aside at the barrier.
    fn handle(&self, mut doc: thresh_core::Document, out: &mut Processed) {
        let outcome = self
            .pipeline
            .process_steps(&mut doc, &mut out.stats, self.steps.clone());
        let target = match outcome {
            Outcome::Kept if self.barrier.is_some() => {
                let barrier = self.barrier.expect("checked");
                barrier.observe(&doc, &mut out.observed);
                stage_record(&mut out.staged, &mut doc);
                return;
            }
            Outcome::Kept => {
                let route = self
                    .partition_by
                    .as_deref()
                    .map_or_else(String::new, |key| partition(&doc, key));
                let i = match out.kept.iter().position(|(r, _)| *r == route) {
                    Some(i) => i,
                    None => {
                        out.kept.push((route, Lines::default()));
                        out.kept.len() - 1
                    }
                };
                Some(&mut out.kept[i].1)
            }
            Outcome::Dropped { .. } => self.write_dropped.then_some(&mut out.dropped),
        };
        if let Some(lines) = target {
            write_record(&mut lines.data, &doc);
            lines.ends.push(lines.data.len());
        }
    }

    fn process(&self, chunk: Chunk) -> Processed {
        let mut out = Processed {
            unit: chunk.unit,
            last: chunk.last,
            kept: Vec::new(),
            dropped: Lines::default(),
            staged: Lines::default(),
            observed: Vec::new(),
            errors: Vec::new(),
            first_error: None,
            stats: self.empty_stats.clone(),
        };
        for (position, batch) in chunk.batches {
            self.process_batch(chunk.unit, position, batch, &mut out);
        }
        // Compressing here spreads the costliest part of writing over the workers; a failure
        // leaves `encoded` empty and the writer compresses (and reports) instead.
        if self.encode.compression != Compression::None {
            let kept = out.kept.iter_mut().map(|(_, lines)| lines);
            for lines in kept.chain([&mut out.dropped, &mut out.staged]) {
                if !lines.data.is_empty() {
                    lines.encoded = self.encode.encode(&lines.data).ok();
                }
            }
        }
        out
    }

    /// Reads, processes and files the records of `batch`, of the file at `position` in work
    /// unit `unit`. Documents of the first pass are numbered in their unit
    /// ([`Origin::in_unit`]); later passes restore the origin set aside with them.
    fn process_batch(&self, unit: u32, position: u32, mut batch: Batch, out: &mut Processed) {
        let first_pass = self.pass == 0;
        if first_pass {
            out.stats.bytes_in += batch.bytes;
            for (kind, n) in &batch.skipped {
                *out.stats.skipped.entry(kind.clone()).or_default() += n;
            }
        }
        let name = &self.names[batch.file as usize];
        let items = std::mem::take(&mut batch.items);
        for item in items {
            if first_pass {
                out.stats.read += 1;
            }
            let (line, offset, message) = match item {
                Item::Record {
                    range,
                    line,
                    offset,
                } => {
                    // Ids derived from file and line are the file's own.
                    let origin = Origin {
                        file: batch.file,
                        record: line,
                    };
                    let parsed = parse_record(batch.record(&range), &self.fields, name, origin)
                        .and_then(|mut doc| {
                            if first_pass {
                                doc.origin = Origin::in_unit(unit, position, line);
                                Ok(doc)
                            } else {
                                restore_origin(doc)
                            }
                        });
                    match parsed {
                        Ok(doc) => {
                            self.handle(doc, out);
                            continue;
                        }
                        Err(message) => (line, offset, message),
                    }
                }
                Item::Document { mut doc, .. } => {
                    doc.origin = Origin::in_unit(unit, position, doc.origin.record);
                    self.handle(*doc, out);
                    continue;
                }
                Item::Error {
                    line,
                    offset,
                    message,
                } => (line, offset, message),
            };
            out.stats.errored += 1;
            let record = serde_json::json!({"file": name, "line": line, "offset": offset, "message": message});
            serde_json::to_writer(&mut out.errors, &record).expect("writing to a Vec cannot fail");
            out.errors.push(b'\n');
            out.first_error
                .get_or_insert((batch.file, line, offset, message));
        }
    }
}

/// The open outputs of the work unit being written.
struct FileSink {
    index: u32,
    /// Kept shards by partition, created on first use.
    kept: std::collections::BTreeMap<String, ShardWriter>,
    dropped: ShardWriter,
    /// Documents set aside for the next pass, and the barrier's observations of them.
    staged: Option<ShardWriter>,
    observed: Option<(BufWriter<File>, std::path::PathBuf)>,
    errors: Option<(BufWriter<File>, std::path::PathBuf)>,
    stats: Stats,
}

/// One pass of a run: which steps, where documents come from and go.
struct Pass<'a> {
    index: usize,
    last: bool,
    layout: &'a Layout,
    /// The barrier step that ends the pass: its working directory.
    barrier_work: Option<BarrierWork>,
    /// The input files of each work unit the pass writes, by unit id.
    units: BTreeMap<u32, Vec<u32>>,
}

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
    let inputs = expand_inputs(&file.input.paths, &file.base_dir, &input_extensions())?;
    let layout = Layout::open(&file.output.path, &file.base_dir)
        .map_err(|e| RunError::Output(format!("output `{}`: {e}", file.output.path)))?;
    // Held until the run returns.
    let _lock = layout
        .lock(options.only.is_some())
        .map_err(RunError::Output)?;
    layout
        .prepare(&manifest(file, &inputs), options.mode)
        .map_err(RunError::Output)?;
    let pull_state = || {
        layout
            .pull_state()
            .map_err(|e| RunError::Output(format!("output `{}`: {e}", layout.name())))
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
    // Observations and decisions are per work unit of pass 0.
    let work_of = |b: usize| -> Result<BarrierWork, RunError> {
        let name = &pipeline.steps()[b].name;
        let pass = barriers.iter().position(|&x| x == b).expect("a barrier");
        Ok(BarrierWork {
            dir: layout.barrier_dir(name),
            units: done_of(0)?.work_units(),
            threads,
            staged: layout.stage_dir(pass),
        })
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
            layout.pull_dir(&decisions).map_err(io_err(&decisions))?;
            barrier.open(&work).map_err(RunError::Output)?;
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
            done_of(0)?
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
            if layout.pull(&staged).map_err(io_err(&staged))? {
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
            barrier_work: if last {
                None
            } else {
                Some(work_of(barriers[pass_index])?)
            },
            units: unit_files,
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
            layout.write(&path, &json).map_err(io_err(&path))?;
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
        .write(&layout.stats_path(), &json)
        .map_err(io_err(&layout.stats_path()))?;
    // The documents set aside between passes are no longer needed.
    let stage = layout.stage_root();
    layout.remove_dir(&stage).map_err(io_err(&stage))?;
    Ok(report)
}

/// The stats of every pass over the work units of the files `files` selects (by their first
/// file), which must all be complete, with the accounting identity checked.
fn completed_stats(
    layout: &Layout,
    pipeline: &Pipeline,
    passes: usize,
    files: &Files,
    inputs: &[InputFile],
) -> Result<Stats, RunError> {
    let mut total = Stats::for_pipeline(pipeline);
    for pass_index in 0..passes {
        let done = Done::load(
            layout,
            pass_index,
            pass_index + 1 == passes,
            inputs.len() as u32,
        )
        .map_err(io_err(layout.root()))?;
        if let Some(i) = done.first_missing(files, inputs.len() as u32) {
            return Err(RunError::Output(format!(
                "input file {} was not completed",
                inputs[i as usize].name
            )));
        }
        for (id, record) in done.records() {
            if files.contains(id) {
                total.merge(&record.stats);
            }
        }
    }
    let accounted = total.kept + total.dropped.values().sum::<u64>() + total.errored;
    if accounted != total.read {
        return Err(RunError::Output(format!(
            "{} documents read but {accounted} accounted for (kept, dropped or errored): the state in `{}` is inconsistent; rerun with --overwrite",
            total.read,
            layout.root().display()
        )));
    }
    Ok(total)
}

/// True when every pass has finished every input file.
fn run_complete(layout: &Layout, passes: usize, files: u32) -> Result<bool, RunError> {
    for pass in 0..passes {
        let done =
            Done::load(layout, pass, pass + 1 == passes, files).map_err(io_err(layout.root()))?;
        if done.first_missing(&Files::All, files).is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Checks that a part can run now: its pass exists and what it needs is done.
fn check_part(
    part: Option<&Part>,
    passes: usize,
    files: u32,
    pipeline: &Pipeline,
    layout: &Layout,
    done_of: &dyn Fn(usize) -> Result<Done, RunError>,
) -> Result<(), RunError> {
    let barriers = pipeline.barriers();
    let missing = |pass: usize, selection: &Files| -> Result<Option<u32>, RunError> {
        Ok(done_of(pass)?.first_missing(selection, files))
    };
    match part {
        None => Ok(()),
        Some(Part::Pass {
            pass,
            files: selection,
        }) => {
            if *pass >= passes {
                return Err(RunError::Output(format!(
                    "--pass {pass}: the pipeline has {passes} pass(es), 0 to {}",
                    passes - 1
                )));
            }
            match selection {
                Files::List(list) => {
                    if let Some(&i) = list.iter().find(|&&i| i >= files) {
                        return Err(RunError::Output(format!(
                            "--files: there are {files} input files (0 to {}), not {i}",
                            files.saturating_sub(1)
                        )));
                    }
                }
                Files::Rank { rank, world_size } if rank >= world_size => {
                    return Err(RunError::Output(format!(
                        "--rank {rank}: ranks go from 0 to {} for --world-size {world_size}",
                        world_size.saturating_sub(1)
                    )));
                }
                _ => {}
            }
            if *pass > 0 {
                if let Some(i) = missing(pass - 1, selection)? {
                    return Err(RunError::Output(format!(
                        "pass {} has not finished input file {i}: run it first",
                        pass - 1
                    )));
                }
                let name = &pipeline.steps()[barriers[pass - 1]].name;
                if !layout.resolved_path(name).exists() {
                    return Err(RunError::Output(format!(
                        "step `{name}` has not resolved: run --resolve {} first",
                        pass - 1
                    )));
                }
            }
            Ok(())
        }
        Some(Part::Resolve { pass, part }) => {
            if let Some((part, parts)) = part {
                if part >= parts {
                    return Err(RunError::Output(format!(
                        "--rank {part}: ranks go from 0 to {} for --world-size {parts}",
                        parts.saturating_sub(1)
                    )));
                }
            }
            if *pass + 1 >= passes {
                return Err(RunError::Output(format!(
                    "--resolve {pass}: the pipeline's barriers end passes 0 to {}",
                    passes.saturating_sub(2)
                )));
            }
            match missing(*pass, &Files::All)? {
                Some(i) => Err(RunError::Output(format!(
                    "pass {pass} has not finished input file {i}: run it first"
                ))),
                None => Ok(()),
            }
        }
    }
}

/// Resolves barrier step `b` once (a resolved barrier's summary is read back).
fn resolve_barrier(
    pipeline: &Pipeline,
    layout: &Layout,
    b: usize,
    work_of: &dyn Fn(usize) -> Result<BarrierWork, RunError>,
) -> Result<serde_json::Value, RunError> {
    let name = &pipeline.steps()[b].name;
    let marker = layout.resolved_path(name);
    if let Ok(bytes) = fs::read(&marker) {
        return Ok(serde_json::from_slice(&bytes).unwrap_or_default());
    }
    let barrier = pipeline.barrier(b).expect("a barrier step");
    let work = work_of(b)?;
    for dir in [work.observations_dir(), work.parts_dir()] {
        layout.pull_dir(&dir).map_err(io_err(&dir))?;
    }
    let summary = barrier
        .resolve(&work)
        .map_err(|e| RunError::Output(format!("step `{name}` could not resolve: {e}")))?;
    // The decisions go up before the marker that says they are there.
    let decisions: Vec<_> = work
        .unit_ids()
        .map(|i| work.decisions(i))
        .filter(|path| path.exists())
        .collect();
    for path in &decisions {
        layout.push(path).map_err(io_err(path))?;
    }
    let bytes = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    layout.write(&marker, &bytes).map_err(io_err(&marker))?;
    Ok(summary)
}

/// Runs part `part` of `parts` of barrier step `b`'s resolve, unless the part or the whole
/// resolve is done already.
fn resolve_part(
    pipeline: &Pipeline,
    layout: &Layout,
    b: usize,
    part: u32,
    parts: u32,
    work_of: &dyn Fn(usize) -> Result<BarrierWork, RunError>,
) -> Result<(), RunError> {
    let name = &pipeline.steps()[b].name;
    let barrier = pipeline.barrier(b).expect("a barrier step");
    if !barrier.splits() {
        return Err(RunError::Output(format!(
            "step `{name}` resolves in one task: run --resolve without --rank/--world-size"
        )));
    }
    if layout.resolved_path(name).exists() {
        return Ok(());
    }
    let work = work_of(b)?;
    let result = work.part(part, parts);
    if layout.pull(&result).map_err(io_err(&result))? {
        return Ok(());
    }
    let observations = work.observations_dir();
    layout
        .pull_dir(&observations)
        .map_err(io_err(&observations))?;
    barrier.resolve_part(&work, part, parts).map_err(|e| {
        RunError::Output(format!(
            "step `{name}` could not resolve part {part} of {parts}: {e}"
        ))
    })?;
    layout.push(&result).map_err(io_err(&result))
}

/// Runs one pass over the `pending` work units (id and files).
#[allow(clippy::too_many_arguments)]
fn run_pass(
    file: &PipelineFile,
    pipeline: &Pipeline,
    pass: &Pass,
    names: &[String],
    pending: Vec<(u32, Vec<(u32, InputFile)>)>,
    threads: usize,
    options: &RunOptions,
    progress: &dyn Progress,
    this_run: &mut Stats,
) -> Result<(), RunError> {
    let files = pending.iter().flat_map(|(_, files)| files);
    let raw_total: u64 = files.clone().map(|(_, f)| f.size).sum();
    progress.start(raw_total, files.count() as u64);
    let steps = pipeline.pass_range(pass.index);
    let barrier = if pass.last {
        None
    } else {
        pipeline.barrier(steps.end)
    };
    let work = Work {
        pipeline,
        fields: if pass.index == 0 {
            file.input.field_names()
        } else {
            FieldNames::default()
        },
        names: names.to_vec(),
        empty_stats: Stats::for_pipeline(pipeline),
        write_dropped: file.output.write_dropped,
        format: file.output.format,
        encode: ShardSpec {
            dir: pass.layout.kept_dir(),
            prefix: String::new(),
            compression: file.output.shard_compression(),
            level: file.output.level,
            max_docs: 0,
            max_bytes: 0,
        },
        partition_by: file.output.partition_by.clone(),
        pass: pass.index,
        steps,
        barrier,
    };
    let raw_bytes = Arc::new(AtomicU64::new(0));
    let source = UnitChunks::new(
        pending,
        file.input.max_record_bytes as usize,
        raw_bytes.clone(),
    );
    let mut sink: Option<FileSink> = None;
    let release = |index: u32| {
        if pass.index > 0 {
            let b = pipeline.pass_range(pass.index).start;
            if let Some(barrier) = pipeline.barrier(b) {
                barrier.release(index);
            }
        }
    };
    run_ordered(
        threads,
        2 * threads + 2,
        source,
        |chunk| work.process(chunk),
        |processed| {
            let finished = processed.last.then_some(processed.unit);
            let result = write_processed(
                file,
                pass,
                &work,
                &mut sink,
                processed,
                options.strict,
                this_run,
            );
            if let Some(index) = finished {
                release(index);
            }
            progress.update(
                this_run.read,
                raw_bytes.load(Ordering::Relaxed),
                this_run.bytes_in,
            );
            result
        },
    )?;
    progress.finish();
    Ok(())
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

fn write_processed(
    file: &PipelineFile,
    pass: &Pass,
    work: &Work,
    sink: &mut Option<FileSink>,
    processed: Processed,
    strict: bool,
    this_run: &mut Stats,
) -> Result<(), RunError> {
    if strict {
        if let Some((file, line, offset, message)) = processed.first_error {
            return Err(RunError::Strict {
                file: work.names[file as usize].clone(),
                line,
                offset,
                message,
            });
        }
    }
    let layout = pass.layout;
    // Kept shards are named by work unit alone; dropped ones also by pass.
    let spec = |dir: std::path::PathBuf| ShardSpec {
        prefix: if dir == layout.dropped_dir() {
            Layout::pass_prefix(pass.index, processed.unit)
        } else {
            file_prefix(processed.unit)
        },
        dir,
        compression: file.output.shard_compression(),
        level: file.output.level,
        max_docs: file.output.max_docs_per_shard,
        max_bytes: file.output.max_bytes_per_shard,
    };
    let current = sink.get_or_insert_with(|| FileSink {
        index: processed.unit,
        kept: std::collections::BTreeMap::new(),
        dropped: ShardWriter::new(spec(layout.dropped_dir())),
        staged: pass.barrier_work.as_ref().map(|_| {
            ShardWriter::new(ShardSpec {
                dir: layout.stage_dir(pass.index),
                prefix: file_prefix(processed.unit),
                compression: file.output.shard_compression(),
                level: file.output.level,
                max_docs: 0,
                max_bytes: 0,
            })
        }),
        observed: None,
        errors: None,
        stats: work.empty_stats.clone(),
    });
    debug_assert_eq!(current.index, processed.unit);
    for (route, lines) in &processed.kept {
        let dir = if route.is_empty() {
            layout.kept_dir()
        } else {
            layout.kept_dir().join(route)
        };
        let writer = current
            .kept
            .entry(route.clone())
            .or_insert_with(|| ShardWriter::new(spec(dir.clone())));
        writer
            .write_lines(&lines.data, &lines.ends, lines.encoded.as_deref())
            .map_err(io_err(&dir))?;
    }
    current
        .dropped
        .write_lines(
            &processed.dropped.data,
            &processed.dropped.ends,
            processed.dropped.encoded.as_deref(),
        )
        .map_err(io_err(&layout.dropped_dir()))?;
    if let Some(staged) = &mut current.staged {
        let lines = &processed.staged;
        staged
            .write_lines(&lines.data, &lines.ends, lines.encoded.as_deref())
            .map_err(io_err(&layout.stage_dir(pass.index)))?;
    }
    if let Some(work_dir) = &pass.barrier_work {
        let path = || work_dir.observations(processed.unit);
        append_pending(&mut current.observed, path, &processed.observed)?;
    }
    if !processed.errors.is_empty() {
        let path = || layout.file_errors_path(processed.unit);
        append_pending(&mut current.errors, path, &processed.errors)?;
    }
    current.stats.merge(&processed.stats);
    this_run.merge(&processed.stats);
    if processed.last {
        let done = sink.take().expect("a sink is open");
        let mut shards = Vec::new();
        for writer in done.kept.into_values() {
            shards.extend(writer.finish().map_err(io_err(&layout.kept_dir()))?);
        }
        shards.extend(
            done.dropped
                .finish()
                .map_err(io_err(&layout.dropped_dir()))?,
        );
        if work.format == OutputFormat::Parquet {
            shards = shards
                .iter()
                .map(|shard| to_parquet(shard))
                .collect::<Result<_, _>>()?;
        }
        if let Some(staged) = done.staged {
            shards.extend(
                staged
                    .finish()
                    .map_err(io_err(&layout.stage_dir(pass.index)))?,
            );
        }
        for (writer, path) in done.errors.into_iter().chain(done.observed) {
            let tmp = temp_path(&path);
            let file = writer
                .into_inner()
                .map_err(|e| io_err(&tmp)(e.into_error()))?;
            file.sync_all().map_err(io_err(&tmp))?;
            fs::rename(&tmp, &path).map_err(io_err(&path))?;
            shards.push(path);
        }
        // On object storage, everything the marker vouches for is uploaded first.
        layout
            .publish(&shards)
            .map_err(|e| RunError::Output(format!("output `{}`: {e}", layout.name())))?;
        let record = FileRecord {
            name: work.names[done.index as usize].clone(),
            files: pass.units.get(&done.index).cloned().unwrap_or_default(),
            stats: done.stats,
        };
        let marker = layout.pass_done_path(pass.index, pass.last, done.index);
        layout
            .mark_pass_done(pass.index, pass.last, done.index, &record)
            .map_err(io_err(&marker))?;
    }
    Ok(())
}

/// Rewrites a finished JSON Lines shard as Parquet beside it, removes it, and returns the
/// Parquet file's path.
fn to_parquet(shard: &std::path::Path) -> Result<std::path::PathBuf, RunError> {
    let name = shard
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split(".jsonl").next().unwrap_or(&name);
    let dst = shard.with_file_name(format!("{stem}.parquet"));
    thresh_io::parquet::jsonl_to_parquet(shard, &dst).map_err(io_err(&dst))?;
    fs::remove_file(shard).map_err(io_err(shard))?;
    Ok(dst)
}

/// Appends `bytes` to the file written under a temporary name for `path()` (renamed into
/// place when its input file is finished), opening it on first use.
fn append_pending(
    slot: &mut Option<(BufWriter<File>, std::path::PathBuf)>,
    path: impl FnOnce() -> std::path::PathBuf,
    bytes: &[u8],
) -> Result<(), RunError> {
    if slot.is_none() {
        let path = path();
        let tmp = temp_path(&path);
        fs::create_dir_all(tmp.parent().expect("a file has a parent")).map_err(io_err(&tmp))?;
        *slot = Some((
            BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?),
            path,
        ));
    }
    let (writer, path) = slot.as_mut().expect("just opened");
    writer.write_all(bytes).map_err(io_err(path))
}

/// Concatenates the error records of the work units `units`, in input order, into
/// `errors.jsonl`.
fn merge_errors(layout: &Layout, units: &[u32]) -> Result<(), RunError> {
    let path = layout.errors_path();
    let per_file = layout.file_errors_dir();
    layout.pull_dir(&per_file).map_err(io_err(&per_file))?;
    let tmp = thresh_io::atomic::private_temp_path(&path);
    let mut out = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
    for &i in units {
        match File::open(layout.file_errors_path(i)) {
            Ok(mut part) => {
                io::copy(&mut part, &mut out).map_err(io_err(&tmp))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&layout.file_errors_path(i))(e)),
        }
    }
    let file = out.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
    file.sync_all().map_err(io_err(&tmp))?;
    fs::rename(&tmp, &path)
        .and_then(|_| layout.push(&path))
        .map_err(io_err(&path))
}
