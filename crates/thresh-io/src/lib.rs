//! # thresh-io
//!
//! Sources and sinks of thresh pipelines, kept apart from computation:
//!
//! - [`read`] turns input files of every format, local or on object storage, into batches of
//!   records and documents ([`read::FileBatches`], the one reader of `run`, `explain` and
//!   Python): [`read::inputs`] lists them, [`read::lines`] splits JSON Lines (with line numbers,
//!   byte offsets and damage as error items), [`read::warc`] / [`read::warc_docs`] /
//!   [`read::http`] read web archives, [`read::parquet`] Parquet rows, [`read::charset`]
//!   decodes pages;
//! - [`jsonl`] is the record format both sides share: a JSON line into a
//!   [`thresh_core::Document`] and back (`id`, `text`, `metadata`, extra fields, `thresh`);
//! - [`write`] is the output seam: the [`write::Sink`] trait a run writes a work unit's
//!   documents to, with numbered, size-limited shards written atomically as JSON Lines
//!   ([`write::jsonl`]) or Parquet ([`write::parquet`]);
//! - [`store`] is where files live: local files written atomically ([`store::atomic`]) and
//!   object storage ([`store::remote`]);
//! - [`compression`] recognises gzip and zstd by extension and magic bytes, for reading and
//!   writing; [`gzip`] reads gzip member by member (libdeflate for whole members, flate2 for
//!   the rest).
//!
//! ```no_run
//! use thresh_io::{compression::open_decompressed, read::lines::RecordSplitter};
//! let (reader, _kind) = open_decompressed(std::path::Path::new("part-0.jsonl.zst")).unwrap();
//! let mut split = RecordSplitter::new(reader, 64 << 20);
//! let batch = split.next_batch(0, 1 << 20, 1024);
//! println!("{} records", batch.items.len());
//! ```

#![warn(missing_docs)]

pub mod compression;
pub mod gzip;
pub mod jsonl;
pub mod read;
pub mod store;
pub mod write;
