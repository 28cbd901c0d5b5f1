//! One pass over work units: the source reads chunks, workers process them, and the calling
//! thread writes them in input order into the unit's [`Sink`]s, completing the unit (shards
//! renamed into place, errors and observations saved, the marker written) at its last chunk.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use thresh_core::engine::run_ordered;
use thresh_core::{BarrierWork, Pipeline, Stats};
use thresh_io::jsonl::FieldNames;
use thresh_io::read::inputs::InputFile;
use thresh_io::store::atomic::temp_path;
use thresh_io::write::{jsonl::ShardWriter, ShardSpec, Sink};

use super::options::{io_err, Progress, RunError, RunOptions};
use super::worker::{Processed, Work};
use crate::config::PipelineFile;
use crate::layout::{file_prefix, FileRecord, Layout};

use thresh_io::read::UnitChunks;

/// The open outputs of the work unit being written.
pub(super) struct FileSink {
    pub(super) index: u32,
    /// Kept shards by partition, created on first use.
    pub(super) kept: BTreeMap<String, Box<dyn Sink>>,
    pub(super) dropped: Box<dyn Sink>,
    /// Documents set aside for the next pass, and the barrier's observations of them.
    pub(super) staged: Option<ShardWriter>,
    pub(super) observed: Option<(BufWriter<File>, std::path::PathBuf)>,
    pub(super) errors: Option<(BufWriter<File>, std::path::PathBuf)>,
    pub(super) stats: Stats,
}

/// One pass of a run: which steps, where documents come from and go.
pub(super) struct Pass<'a> {
    pub(super) index: usize,
    pub(super) last: bool,
    pub(super) layout: &'a Layout,
    /// The barrier step that ends the pass: its working directory.
    pub(super) barrier_work: Option<BarrierWork>,
    /// The input files of each work unit the pass writes, by unit id.
    pub(super) units: BTreeMap<u32, Vec<u32>>,
    /// The format of kept documents, with its tokenizer.
    pub(super) output: &'a crate::config::OutputPlan,
}

/// Runs one pass over the `pending` work units (id and files).
#[allow(clippy::too_many_arguments)]
pub(super) fn run_pass(
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
        doc_stats: pipeline
            .steps()
            .iter()
            .filter(|s| s.ty == "doc_stats")
            .map(|s| s.name.clone())
            .collect(),
        format: pass.output.format.clone(),
        tokenizer: if pass.last {
            pass.output.tokenizer.clone()
        } else {
            None
        },
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

pub(super) fn write_processed(
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
        kept: BTreeMap::new(),
        dropped: thresh_io::write::open(&work.format.for_documents(), spec(layout.dropped_dir())),
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
            .or_insert_with(|| thresh_io::write::open(&work.format, spec(dir.clone())));
        if work.tokenizer.is_some() {
            writer.write_tokens(&lines.tokens, &lines.token_ends)
        } else {
            writer.write_lines(&lines.data, &lines.ends, lines.encoded.as_deref())
        }
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
            .store()
            .publish(&shards)
            .map_err(|source| RunError::Store {
                output: layout.name(),
                source,
            })?;
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

/// Appends `bytes` to the file written under a temporary name for `path()` (renamed into
/// place when its input file is finished), opening it on first use.
pub(super) fn append_pending(
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
