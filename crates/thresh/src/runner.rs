//! [`run`]: a pipeline file's input, through its steps, into its output directory.
//!
//! The source thread reads batches of raw records, worker threads parse, process and
//! serialize them, and the calling thread writes them to the shards of their input file in
//! input order ([`thresh_core::engine::run_ordered`]). When a file's last batch is written,
//! its shards are completed (renamed into place), its error records saved and its completion
//! marker written; a rerun skips marked files and redoes the others from scratch. At the end,
//! `errors.jsonl` and `stats.json` are assembled from the per-file records.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use thresh_core::engine::run_ordered;
use thresh_core::{ConfigError, Origin, Outcome, Pipeline, Stats};
use thresh_io::atomic::temp_path;
use thresh_io::compression::Compression;
use thresh_io::inputs::{expand_inputs, InputError, InputFile, JSONL_EXTENSIONS};
use thresh_io::jsonl::{parse_record, write_record, FieldNames};
use thresh_io::lines::{Batch, Item};
use thresh_io::shards::{ShardSpec, ShardWriter};
use xxhash_rust::xxh3::xxh3_128;

use crate::config::PipelineFile;
use crate::layout::{file_prefix, FileRecord, Layout, Manifest, ResumeMode};
use crate::report::{FileCounts, RunReport};
use crate::source::FileBatches;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Fail on the first unreadable record instead of recording it and going on.
    pub strict: bool,
    /// Resume a previous run in the output directory, or overwrite it.
    pub mode: ResumeMode,
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

/// A batch after the workers: serialized output and the batch's accounting.
struct Processed {
    file: u32,
    last: bool,
    /// Kept documents by partition (`""` when the output is not partitioned), in order of
    /// first appearance.
    kept: Vec<(String, Lines)>,
    dropped: Lines,
    errors: Vec<u8>,
    first_error: Option<(u64, u64, String)>,
    stats: Stats,
}

/// Everything a worker needs, shared read-only.
struct Work<'a> {
    pipeline: &'a Pipeline,
    fields: FieldNames,
    names: Vec<String>,
    empty_stats: Stats,
    write_dropped: bool,
    encode: ShardSpec,
    partition_by: Option<String>,
}

/// The partition (sub-directory of `kept/`) of a document: its `thresh.<key>` annotation,
/// reduced to a safe directory name; `und` when it has none.
fn partition(doc: &thresh_core::Document, key: &str) -> String {
    let value = match doc.annotations.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let safe: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() || safe.chars().all(|c| c == '_') {
        "und".into()
    } else {
        safe
    }
}

impl Work<'_> {
    fn process(&self, batch: Batch) -> Processed {
        let mut out = Processed {
            file: batch.file,
            last: batch.last,
            kept: Vec::new(),
            dropped: Lines::default(),
            errors: Vec::new(),
            first_error: None,
            stats: self.empty_stats.clone(),
        };
        out.stats.bytes_in = batch.bytes;
        let name = &self.names[batch.file as usize];
        for item in &batch.items {
            out.stats.read += 1;
            let (line, offset, message) = match item {
                Item::Record {
                    range,
                    line,
                    offset,
                } => {
                    let origin = Origin {
                        file: batch.file,
                        record: *line,
                    };
                    match parse_record(batch.record(range), &self.fields, name, origin) {
                        Ok(mut doc) => {
                            let target = match self.pipeline.process(&mut doc, &mut out.stats) {
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
                                Outcome::Dropped { .. } => {
                                    self.write_dropped.then_some(&mut out.dropped)
                                }
                            };
                            if let Some(lines) = target {
                                write_record(&mut lines.data, &doc);
                                lines.ends.push(lines.data.len());
                            }
                            continue;
                        }
                        Err(message) => (*line, *offset, message),
                    }
                }
                Item::Error {
                    line,
                    offset,
                    message,
                } => (*line, *offset, message.clone()),
            };
            out.stats.errored += 1;
            let record = serde_json::json!({"file": name, "line": line, "offset": offset, "message": message});
            serde_json::to_writer(&mut out.errors, &record).expect("writing to a Vec cannot fail");
            out.errors.push(b'\n');
            out.first_error.get_or_insert((line, offset, message));
        }
        // Compressing here spreads the costliest part of writing over the workers; a failure
        // leaves `encoded` empty and the writer compresses (and reports) instead.
        if self.encode.compression != Compression::None {
            let kept = out.kept.iter_mut().map(|(_, lines)| lines);
            for lines in kept.chain([&mut out.dropped]) {
                if !lines.data.is_empty() {
                    lines.encoded = self.encode.encode(&lines.data).ok();
                }
            }
        }
        out
    }
}

/// The open outputs of the input file being written.
struct FileSink {
    index: u32,
    /// Kept shards by partition, created on first use.
    kept: std::collections::BTreeMap<String, ShardWriter>,
    dropped: ShardWriter,
    errors: Option<(BufWriter<File>, std::path::PathBuf)>,
    stats: Stats,
}

/// Runs the pipeline file and returns what `stats.json` says.
pub fn run(
    file: &PipelineFile,
    registry: &thresh_core::StepRegistry,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let pipeline = file.build(registry)?;
    let inputs = expand_inputs(&file.input.paths, &file.base_dir, &JSONL_EXTENSIONS)?;
    let layout = Layout::new(file.output_dir());
    layout
        .prepare(&manifest(file, &inputs), options.mode)
        .map_err(RunError::Output)?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };

    let mut pending = Vec::new();
    let mut resumed = 0;
    for (i, input) in inputs.iter().enumerate() {
        let index = i as u32;
        if layout.completed(index).is_some() {
            resumed += 1;
        } else {
            layout.reset_file(index).map_err(io_err(layout.root()))?;
            pending.push((index, input.clone()));
        }
    }
    let raw_total: u64 = pending
        .iter()
        .filter_map(|(_, f)| fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    progress.start(raw_total, pending.len() as u64);

    let work = Work {
        pipeline: &pipeline,
        fields: file.input.field_names(),
        names: inputs.iter().map(|f| f.name.clone()).collect(),
        empty_stats: Stats::for_pipeline(&pipeline),
        write_dropped: file.output.write_dropped,
        encode: ShardSpec {
            dir: layout.kept_dir(),
            prefix: String::new(),
            compression: file.output.compression,
            level: file.output.level,
            max_docs: 0,
            max_bytes: 0,
        },
        partition_by: file.output.partition_by.clone(),
    };
    let raw_bytes = Arc::new(AtomicU64::new(0));
    let source = FileBatches::new(
        pending.clone(),
        file.input.max_record_bytes as usize,
        raw_bytes.clone(),
    );
    let mut sink: Option<FileSink> = None;
    let mut this_run = Stats::for_pipeline(&pipeline);
    run_ordered(
        threads,
        2 * threads + 2,
        source,
        |batch| work.process(batch),
        |processed| {
            let result = write_processed(
                file,
                &layout,
                &work,
                &mut sink,
                processed,
                options.strict,
                &mut this_run,
            );
            progress.update(
                this_run.read,
                raw_bytes.load(Ordering::Relaxed),
                this_run.bytes_in,
            );
            result
        },
    )?;
    progress.finish();

    let mut total = Stats::for_pipeline(&pipeline);
    for i in 0..inputs.len() as u32 {
        match layout.completed(i) {
            Some(record) => total.merge(&record.stats),
            None => {
                return Err(RunError::Output(format!(
                    "input file {} was not completed",
                    inputs[i as usize].name
                )))
            }
        }
    }
    merge_errors(&layout, inputs.len() as u32)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let report = RunReport {
        files: FileCounts {
            total: inputs.len() as u64,
            processed: pending.len() as u64,
            resumed,
        },
        threads,
        wall_seconds,
        docs_per_second: this_run.read as f64 / wall_seconds.max(1e-9),
        mb_per_second: this_run.bytes_in as f64 / 1e6 / wall_seconds.max(1e-9),
        stats: total,
    };
    let json = serde_json::to_vec_pretty(&report).expect("report serializes");
    thresh_io::atomic::write_atomic(&layout.stats_path(), &json)
        .map_err(io_err(&layout.stats_path()))?;
    Ok(report)
}

/// The run's identity: the canonical pipeline file and the input list with sizes.
fn manifest(file: &PipelineFile, inputs: &[InputFile]) -> Manifest {
    let mut identity = file.canonical.clone();
    for input in inputs {
        let size = fs::metadata(&input.path).map_or(0, |m| m.len());
        identity.push_str(&format!("\n{}\t{size}", input.name));
    }
    Manifest {
        fingerprint: format!("{:032x}", xxh3_128(identity.as_bytes())),
        files: inputs.iter().map(|f| f.name.clone()).collect(),
    }
}

fn write_processed(
    file: &PipelineFile,
    layout: &Layout,
    work: &Work,
    sink: &mut Option<FileSink>,
    processed: Processed,
    strict: bool,
    this_run: &mut Stats,
) -> Result<(), RunError> {
    if strict {
        if let Some((line, offset, message)) = processed.first_error {
            return Err(RunError::Strict {
                file: work.names[processed.file as usize].clone(),
                line,
                offset,
                message,
            });
        }
    }
    let spec = |dir| ShardSpec {
        dir,
        prefix: file_prefix(processed.file),
        compression: file.output.compression,
        level: file.output.level,
        max_docs: file.output.max_docs_per_shard,
        max_bytes: file.output.max_bytes_per_shard,
    };
    let current = sink.get_or_insert_with(|| FileSink {
        index: processed.file,
        kept: std::collections::BTreeMap::new(),
        dropped: ShardWriter::new(spec(layout.dropped_dir())),
        errors: None,
        stats: work.empty_stats.clone(),
    });
    debug_assert_eq!(current.index, processed.file);
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
    if !processed.errors.is_empty() {
        if current.errors.is_none() {
            let path = layout.file_errors_path(processed.file);
            let tmp = temp_path(&path);
            fs::create_dir_all(tmp.parent().expect("errors path has a parent"))
                .map_err(io_err(&tmp))?;
            current.errors = Some((
                BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?),
                path,
            ));
        }
        let (writer, path) = current.errors.as_mut().expect("just opened");
        writer.write_all(&processed.errors).map_err(io_err(path))?;
    }
    current.stats.merge(&processed.stats);
    this_run.merge(&processed.stats);
    if processed.last {
        let done = sink.take().expect("a sink is open");
        for writer in done.kept.into_values() {
            writer.finish().map_err(io_err(&layout.kept_dir()))?;
        }
        done.dropped
            .finish()
            .map_err(io_err(&layout.dropped_dir()))?;
        if let Some((writer, path)) = done.errors {
            let tmp = temp_path(&path);
            let file = writer
                .into_inner()
                .map_err(|e| io_err(&tmp)(e.into_error()))?;
            file.sync_all().map_err(io_err(&tmp))?;
            fs::rename(&tmp, &path).map_err(io_err(&path))?;
        }
        let record = FileRecord {
            name: work.names[done.index as usize].clone(),
            stats: done.stats,
        };
        layout
            .mark_done(done.index, &record)
            .map_err(io_err(&layout.done_path(done.index)))?;
    }
    Ok(())
}

/// Concatenates the per-file error records, in input order, into `errors.jsonl`.
fn merge_errors(layout: &Layout, files: u32) -> Result<(), RunError> {
    let path = layout.errors_path();
    let tmp = temp_path(&path);
    let mut out = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
    for i in 0..files {
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
    fs::rename(&tmp, &path).map_err(io_err(&path))
}
