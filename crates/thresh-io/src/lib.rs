//! # thresh-io
//!
//! Sources and sinks of thresh pipelines, kept apart from computation:
//!
//! - [`inputs`] expands input paths (files, directories, globs) into a sorted file list;
//! - [`compression`] recognises gzip and zstd by extension and magic bytes, for reading and
//!   writing;
//! - [`lines`] splits a (decompressed) stream into batches of records with line numbers and byte
//!   offsets, turning damage (truncated streams, oversized records) into error items;
//! - [`jsonl`] parses a JSON line into a [`thresh_core::Document`] and writes the output
//!   contract (`id`, `text`, `metadata`, extra fields, `thresh`);
//! - [`shards`] writes numbered, size-limited, compressed shards atomically (temp file + rename);
//! - [`atomic`] writes small files atomically.
//!
//! ```no_run
//! use thresh_io::{compression::open_decompressed, lines::RecordSplitter};
//! let (reader, _kind) = open_decompressed(std::path::Path::new("part-0.jsonl.zst")).unwrap();
//! let mut split = RecordSplitter::new(reader, 64 << 20);
//! let batch = split.next_batch(0, 1 << 20, 1024);
//! println!("{} records", batch.items.len());
//! ```

pub mod atomic;
pub mod charset;
pub mod compression;
pub mod http;
pub mod inputs;
pub mod jsonl;
pub mod lines;
pub mod parquet;
pub mod remote;
pub mod shards;
pub mod warc;
pub mod warc_docs;
