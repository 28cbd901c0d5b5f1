//! Reading inputs: every format thresh reads, local or on object storage, as batches of
//! records and documents.
//!
//! [`FileBatches`] reads files one after another, each ending in a batch marked `last`, and
//! chooses the reader by name: JSON Lines records ([`lines`]), the documents of a web archive
//! ([`warc_docs`]), one saved page, or the rows of a Parquet file ([`parquet`]); compression is
//! recognised by magic bytes. [`UnitChunks`] gathers the same batches into chunks of one work
//! unit each, the unit's last chunk marked `last`. [`inputs`] lists the files of input paths.

pub mod charset;
pub mod http;
pub mod inputs;
pub mod lines;
pub mod parquet;
pub mod warc;
pub mod warc_docs;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use self::inputs::{is_html_file, is_parquet, is_web_archive, InputFile};
use self::lines::{Batch, Item, RecordSplitter};
use self::parquet::{ParquetBatches, BATCH_ROWS as PARQUET_BATCH_ROWS};
use self::warc_docs::WarcBatches;
use crate::compression::{decompress, CountingRead};
use crate::store::remote::{is_remote, Object};

/// How a file is read: JSON Lines records, the documents of a web archive, one saved page, or
/// the rows of a Parquet file.
enum Reader {
    Lines(RecordSplitter<Box<dyn BufRead + Send>>),
    Archive(WarcBatches<Box<dyn BufRead + Send>>),
    Page(Box<dyn BufRead + Send>, String),
    Parquet(ParquetBatches),
}

/// Batch sizes: enough work per batch to amortise hand-offs between threads, small enough
/// that a few batches per thread stay within a few megabytes.
const BATCH_BYTES: usize = 1 << 20;
const BATCH_ITEMS: usize = 4096;

/// Reads the given input files in order, as batches.
pub struct FileBatches {
    pending: VecDeque<(u32, InputFile)>,
    current: Option<(u32, Reader)>,
    max_record_bytes: usize,
    raw_bytes: Arc<AtomicU64>,
}

impl FileBatches {
    /// Batches of `files` (index, file), counting raw (compressed) bytes read in `raw_bytes`.
    pub fn new(
        files: Vec<(u32, InputFile)>,
        max_record_bytes: usize,
        raw_bytes: Arc<AtomicU64>,
    ) -> Self {
        FileBatches {
            pending: files.into(),
            current: None,
            max_record_bytes,
            raw_bytes,
        }
    }
}

impl Iterator for FileBatches {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        if let Some((index, reader)) = &mut self.current {
            let batch = match reader {
                Reader::Lines(split) => split.next_batch(*index, BATCH_BYTES, BATCH_ITEMS),
                Reader::Archive(archive) => archive.next_batch(*index, BATCH_BYTES, BATCH_ITEMS),
                Reader::Page(reader, id) => page_batch(*index, reader, id, self.max_record_bytes),
                Reader::Parquet(parquet) => parquet.next_batch(*index),
            };
            if batch.last {
                self.current = None;
            }
            return Some(batch);
        }
        let (index, file) = self.pending.pop_front()?;
        // The format is the path's: a later pass reads the JSON Lines an earlier one set aside
        // under the input's name.
        let kind = file
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(&file.name)
            .to_owned();
        if is_parquet(&kind) {
            // Parquet needs its footer first: the file itself, not a stream (an object is
            // downloaded to a spool file, removed once open).
            let reader = match open_local(&file) {
                Ok(f) => {
                    let size = f.metadata().map_or(0, |m| m.len());
                    self.raw_bytes
                        .fetch_add(size, std::sync::atomic::Ordering::Relaxed);
                    ParquetBatches::open(f, PARQUET_BATCH_ROWS)
                }
                Err(e) => return Some(open_error(index, &e)),
            };
            self.current = Some((index, Reader::Parquet(reader)));
            return self.next();
        }
        let opened = open_stream(&file)
            .and_then(|f| decompress(CountingRead::new(f, self.raw_bytes.clone()), &file.path));
        match opened {
            Ok((reader, _)) => {
                let reader = if is_web_archive(&kind) {
                    Reader::Archive(WarcBatches::new(reader))
                } else if is_html_file(&kind) {
                    Reader::Page(reader, file.relative.clone())
                } else {
                    Reader::Lines(RecordSplitter::new(reader, self.max_record_bytes))
                };
                self.current = Some((index, reader));
                self.next()
            }
            Err(e) => Some(open_error(index, &e)),
        }
    }
}

/// Consecutive batches of one work unit, as the workers take them: each with the position
/// of its file in the unit.
pub struct Chunk {
    /// The unit's id.
    pub unit: u32,
    /// The batches, with their file's position in the unit (from 0).
    pub batches: Vec<(u32, Batch)>,
    /// True for the unit's last chunk.
    pub last: bool,
}

/// Reads work units (an id and the files it holds, in order) as chunks: the batches of its
/// files gathered until a chunk holds about as much as one batch of a large file, so that
/// many small files cost what a few large ones do.
pub struct UnitChunks {
    batches: FileBatches,
    /// The units still to read: id and number of files.
    units: VecDeque<(u32, u32)>,
    /// The position in the first unit of the file being read.
    position: u32,
}

impl UnitChunks {
    /// Chunks of `units` (id, files), counting raw bytes read in `raw_bytes`.
    pub fn new(
        units: Vec<(u32, Vec<(u32, InputFile)>)>,
        max_record_bytes: usize,
        raw_bytes: Arc<AtomicU64>,
    ) -> Self {
        let counts = units
            .iter()
            .map(|(id, files)| (*id, files.len() as u32))
            .filter(|&(_, n)| n > 0)
            .collect();
        let files = units.into_iter().flat_map(|(_, files)| files).collect();
        UnitChunks {
            batches: FileBatches::new(files, max_record_bytes, raw_bytes),
            units: counts,
            position: 0,
        }
    }
}

impl Iterator for UnitChunks {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let &(unit, files) = self.units.front()?;
        let mut chunk = Chunk {
            unit,
            batches: Vec::new(),
            last: false,
        };
        let (mut bytes, mut items) = (0usize, 0usize);
        loop {
            // Every file ends in a batch marked `last`: the files run out with the units.
            let Some(batch) = self.batches.next() else {
                self.units.clear();
                chunk.last = true;
                break;
            };
            let file_done = batch.last;
            bytes += batch.data.len().max(batch.bytes as usize);
            items += batch.items.len();
            chunk.batches.push((self.position, batch));
            if file_done {
                self.position += 1;
                if self.position == files {
                    self.units.pop_front();
                    self.position = 0;
                    chunk.last = true;
                    break;
                }
            }
            if bytes >= BATCH_BYTES || items >= BATCH_ITEMS {
                break;
            }
        }
        Some(chunk)
    }
}

/// The input file as a stream: a local file, or an object read as it arrives.
fn open_stream(file: &InputFile) -> std::io::Result<Box<dyn Read + Send>> {
    let url = file.path.to_string_lossy();
    if is_remote(&url) {
        return Ok(Box::new(Object::parse(&url)?.reader(file.size)));
    }
    Ok(Box::new(File::open(&file.path)?))
}

/// The input file as a local file: itself, or an object downloaded to a spool file in the
/// temporary directory that is unlinked once open (the space is freed when it is closed).
fn open_local(file: &InputFile) -> std::io::Result<File> {
    let url = file.path.to_string_lossy();
    if !is_remote(&url) {
        return File::open(&file.path);
    }
    let spool = crate::store::atomic::private_temp_path(
        &std::env::temp_dir().join(format!("thresh-spool-{}", file.relative.replace('/', "_"))),
    );
    if !Object::parse(&url)?.download(&spool)? {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("`{url}` no longer exists"),
        ));
    }
    let opened = File::open(&spool);
    let _ = std::fs::remove_file(&spool);
    opened
}

/// The batch of a file that cannot be opened: one error record.
fn open_error(file: u32, e: &std::io::Error) -> Batch {
    Batch {
        file,
        items: vec![Item::Error {
            line: 0,
            offset: 0,
            message: format!("cannot open: {e}"),
        }],
        last: true,
        ..Batch::default()
    }
}

/// The one-document batch of a saved HTML page: its id is the path relative to the input it
/// was found under, its text the page decoded to UTF-8.
fn page_batch(file: u32, reader: &mut Box<dyn BufRead + Send>, id: &str, max: usize) -> Batch {
    let mut bytes = Vec::new();
    let read = std::io::Read::by_ref(reader)
        .take(max as u64 + 1)
        .read_to_end(&mut bytes);
    let mut batch = Batch {
        file,
        bytes: bytes.len() as u64,
        last: true,
        ..Batch::default()
    };
    let problem = match read {
        Err(e) => Some(format!("cannot read: {e}")),
        Ok(_) if bytes.len() > max => Some(format!("page over {max} bytes")),
        Ok(_) => None,
    };
    if let Some(message) = problem {
        batch.items.push(Item::Error {
            line: 1,
            offset: 0,
            message,
        });
        return batch;
    }
    let (text, charset) = self::charset::decode(&bytes, None);
    let mut doc = thresh_core::Document::new(id, text);
    doc.metadata = serde_json::value::to_raw_value(&serde_json::json!({ "charset": charset })).ok();
    doc.origin = thresh_core::Origin { file, record: 1 };
    batch.items.push(Item::Document {
        doc: Box::new(doc),
        line: 1,
        offset: 0,
    });
    batch
}
