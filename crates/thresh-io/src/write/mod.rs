//! Writing outputs: the [`Sink`] a run writes each work unit's documents to, and its
//! implementations, one per format — numbered, size-limited shards, each written under a hidden
//! temporary name and renamed once complete: JSON Lines ([`jsonl`]), Parquet ([`parquet`]),
//! and token shards for training: datatrove's ([`tokens`]) and Megatron-LM's ([`megatron`]).
//! [`open`] chooses by [`Format`].

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::compression::{compress_frame, Compression};

pub mod jsonl;
pub mod megatron;
pub mod parquet;
pub mod token_merge;
pub mod tokens;

pub use tokens::TokenLayout;

/// The output of one work unit in one place (a partition of `kept/`, `dropped/`): it takes the
/// unit's documents as serialized JSON lines, in order, and finishes atomically — afterwards
/// every file it wrote is complete under its final name; before, none looks complete.
pub trait Sink {
    /// Writes consecutive documents' lines: `data[..ends[0]]`, `data[ends[0]..ends[1]]`, … .
    /// `encoded`, when given, is `data` compressed as one frame by a worker thread
    /// ([`ShardSpec::encode`]), for a sink that can take it as it is.
    fn write_lines(
        &mut self,
        data: &[u8],
        ends: &[usize],
        encoded: Option<&[u8]>,
    ) -> io::Result<()>;

    /// Writes consecutive documents' token ids: `ids[..ends[0]]`, `ids[ends[0]..ends[1]]`, … .
    /// Only token-shard sinks take them.
    fn write_tokens(&mut self, ids: &[u32], ends: &[usize]) -> io::Result<()> {
        let _ = ids;
        if ends.is_empty() {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "this output takes JSON lines, not token ids",
        ))
    }

    /// Completes the output and returns the paths of the files written.
    fn finish(self: Box<Self>) -> io::Result<Vec<PathBuf>>;
}

/// The format of output shards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines, compressed as the spec says.
    #[default]
    Jsonl,
    /// Parquet (zstd): `id`, `text`, and `metadata`, `thresh`, `other` as JSON text.
    Parquet,
    /// datatrove's token shards (`.ds`, `.ds.index`, `.ds.metadata`).
    DatatroveTokens(TokenLayout),
    /// Megatron-LM's indexed dataset (`.bin`, `.idx`).
    Megatron(TokenLayout),
}

impl Format {
    /// The token layout, for the token-shard formats.
    pub fn tokens(&self) -> Option<&TokenLayout> {
        match self {
            Format::DatatroveTokens(layout) | Format::Megatron(layout) => Some(layout),
            Format::Jsonl | Format::Parquet => None,
        }
    }

    /// The format of dropped documents: JSON Lines when kept ones become tokens.
    pub fn for_documents(&self) -> Format {
        match self {
            Format::DatatroveTokens(_) | Format::Megatron(_) => Format::Jsonl,
            other => other.clone(),
        }
    }
}

/// A sink writing shards of `format` as `spec` says; nothing is created before the first
/// document.
pub fn open(format: &Format, spec: ShardSpec) -> Box<dyn Sink> {
    match format {
        Format::Jsonl => Box::new(jsonl::ShardWriter::new(spec)),
        Format::Parquet => Box::new(parquet::ParquetShards::new(spec)),
        Format::DatatroveTokens(layout) => Box::new(tokens::TokenShards::new(spec, layout.clone())),
        Format::Megatron(layout) => {
            Box::new(megatron::MegatronShards::new(spec, layout.token_size))
        }
    }
}

/// Where and how a writer writes.
#[derive(Clone, Debug)]
pub struct ShardSpec {
    /// Directory of the shards.
    pub dir: PathBuf,
    /// Name prefix, e.g. the work unit's id `00003`.
    pub prefix: String,
    /// Compression of the shards.
    pub compression: Compression,
    /// Compression level (`None`: the format's default).
    pub level: Option<i32>,
    /// Start a new part after this many documents (0: no limit).
    pub max_docs: u64,
    /// Start a new part after this many uncompressed bytes (0: no limit).
    pub max_bytes: u64,
}

impl ShardSpec {
    /// The final path of JSON Lines part `part`.
    pub fn part_path(&self, part: u32) -> PathBuf {
        self.dir.join(format!(
            "{}-{part:04}.jsonl{}",
            self.prefix,
            self.compression.suffix()
        ))
    }

    /// True when a part holding `docs` documents and `bytes` bytes (of JSON lines) must not
    /// take more.
    pub fn full(&self, docs: u64, bytes: u64) -> bool {
        (self.max_docs > 0 && docs >= self.max_docs)
            || (self.max_bytes > 0 && bytes >= self.max_bytes)
    }

    /// `data` as it goes into a part: compressed into one frame, or as it is.
    pub fn encode(&self, data: &[u8]) -> io::Result<Vec<u8>> {
        compress_frame(self.compression, self.level, data)
    }
}

/// Removes the files in `dir` (and its sub-directories) named after a work unit (at least five
/// digits) for which `stale` holds: `<prefix><id>-…` (shards) and `<prefix><id>.…` (error
/// records), complete or hidden and temporary (`.<prefix><id>…`), so that unfinished units
/// can be redone from scratch. Other names are left alone.
pub fn remove_unit_files(dir: &Path, prefix: &str, stale: &dyn Fn(u32) -> bool) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            remove_unit_files(&entry.path(), prefix, stale)?;
            continue;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let bare = name.strip_prefix('.').unwrap_or(&name);
        let Some(rest) = bare.strip_prefix(prefix) else {
            continue;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let named = matches!(rest.as_bytes().get(digits), Some(b'-' | b'.'));
        match rest[..digits].parse::<u32>() {
            Ok(id) if digits >= 5 && named && stale(id) => fs::remove_file(entry.path())?,
            _ => {}
        }
    }
    Ok(())
}
