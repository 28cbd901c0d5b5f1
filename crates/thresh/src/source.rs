//! The source of a run: the pending input files, read one after another as batches of
//! records, each file ending in a batch marked `last`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufRead;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use thresh_io::compression::{decompress, CountingRead};
use thresh_io::inputs::{is_web_archive, InputFile};
use thresh_io::lines::{Batch, Item, RecordSplitter};
use thresh_io::warc_docs::WarcBatches;

/// How a file is read: JSON Lines records, or the documents of a web archive.
enum Reader {
    Lines(RecordSplitter<Box<dyn BufRead + Send>>),
    Archive(WarcBatches<Box<dyn BufRead + Send>>),
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
            };
            if batch.last {
                self.current = None;
            }
            return Some(batch);
        }
        let (index, file) = self.pending.pop_front()?;
        let opened = File::open(&file.path)
            .and_then(|f| decompress(CountingRead::new(f, self.raw_bytes.clone()), &file.path));
        match opened {
            Ok((reader, _)) => {
                let reader = if is_web_archive(&file.name) {
                    Reader::Archive(WarcBatches::new(reader))
                } else {
                    Reader::Lines(RecordSplitter::new(reader, self.max_record_bytes))
                };
                self.current = Some((index, reader));
                self.next()
            }
            Err(e) => Some(Batch {
                file: index,
                items: vec![Item::Error {
                    line: 0,
                    offset: 0,
                    message: format!("cannot open: {e}"),
                }],
                last: true,
                ..Batch::default()
            }),
        }
    }
}
