//! Parquet shards written directly from a work unit's serialized documents: numbered parts
//! split where the JSON Lines shards would be split (`max_docs`, `max_bytes` of JSON lines),
//! zstd-compressed, columns `id` and `text` (strings), `metadata`, `thresh` and `other` (every
//! other field) as JSON text, null where absent — what [`crate::read::parquet`] reads back into
//! the same records. Each part is written under a hidden temporary name and renamed once
//! complete.

use std::fs::{self, File};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{ShardSpec, Sink};
use crate::store::atomic::temp_path;

/// Rows per record batch handed to the Parquet writer.
const WRITE_ROWS: usize = 1024;

/// The columns, in order.
const COLUMNS: [&str; 5] = ["id", "text", "metadata", "thresh", "other"];

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

struct OpenPart {
    writer: ArrowWriter<File>,
    builders: Vec<StringBuilder>,
    pending: usize,
    tmp: PathBuf,
    path: PathBuf,
    docs: u64,
    bytes: u64,
}

/// Writes documents' lines into consecutive Parquet parts.
pub struct ParquetShards {
    spec: ShardSpec,
    schema: SchemaRef,
    next_part: u32,
    open: Option<OpenPart>,
    written: Vec<PathBuf>,
}

impl ParquetShards {
    /// A writer that has not created any file yet.
    pub fn new(spec: ShardSpec) -> Self {
        let fields: Vec<Field> = COLUMNS
            .iter()
            .map(|c| Field::new(*c, DataType::Utf8, *c != "text"))
            .collect();
        ParquetShards {
            spec,
            schema: Arc::new(Schema::new(fields)),
            next_part: 0,
            open: None,
            written: Vec::new(),
        }
    }

    /// The final path of part `part`.
    pub fn part_path(&self, part: u32) -> PathBuf {
        self.spec
            .dir
            .join(format!("{}-{part:04}.parquet", self.spec.prefix))
    }

    fn start_part(&mut self) -> io::Result<OpenPart> {
        fs::create_dir_all(&self.spec.dir)?;
        let path = self.part_path(self.next_part);
        self.next_part += 1;
        let tmp = temp_path(&path);
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let writer = ArrowWriter::try_new(File::create(&tmp)?, self.schema.clone(), Some(props))
            .map_err(invalid)?;
        Ok(OpenPart {
            writer,
            builders: COLUMNS.iter().map(|_| StringBuilder::new()).collect(),
            pending: 0,
            tmp,
            path,
            docs: 0,
            bytes: 0,
        })
    }

    /// Hands the rows gathered so far to the Parquet writer.
    fn flush(schema: &SchemaRef, part: &mut OpenPart) -> io::Result<()> {
        let arrays: Vec<ArrayRef> = part
            .builders
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(invalid)?;
        part.writer.write(&batch).map_err(invalid)?;
        part.pending = 0;
        Ok(())
    }

    fn close_current(&mut self) -> io::Result<()> {
        if let Some(mut part) = self.open.take() {
            if part.pending > 0 {
                Self::flush(&self.schema, &mut part)?;
            }
            let file = part.writer.into_inner().map_err(invalid)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&part.tmp, &part.path)?;
            self.written.push(part.path);
        }
        Ok(())
    }

    /// Appends one document's JSON line (without its line end) as a row.
    fn append(&mut self, line: &[u8]) -> io::Result<()> {
        if let Some(part) = &self.open {
            if self.spec.full(part.docs, part.bytes) {
                self.close_current()?;
            }
        }
        if self.open.is_none() {
            let part = self.start_part()?;
            self.open = Some(part);
        }
        let part = self.open.as_mut().expect("a part is open");
        let mut record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(line.strip_suffix(b"\n").unwrap_or(line)).map_err(invalid)?;
        let mut text_of = |key: &str| -> Option<String> {
            record.remove(key).map(|v| match v {
                serde_json::Value::String(s) if key == "id" || key == "text" => s,
                other => other.to_string(),
            })
        };
        let fields = [
            text_of("id"),
            text_of("text"),
            text_of("metadata"),
            text_of("thresh"),
        ];
        for (builder, value) in part.builders.iter_mut().zip(fields) {
            builder.append_option(value);
        }
        let other = (!record.is_empty()).then(|| serde_json::Value::Object(record).to_string());
        part.builders[4].append_option(other);
        part.docs += 1;
        part.bytes += line.len() as u64;
        part.pending += 1;
        if part.pending == WRITE_ROWS {
            Self::flush(&self.schema, part)?;
        }
        Ok(())
    }
}

impl Sink for ParquetShards {
    fn write_lines(
        &mut self,
        data: &[u8],
        ends: &[usize],
        _encoded: Option<&[u8]>,
    ) -> io::Result<()> {
        let mut start = 0;
        for &end in ends {
            self.append(&data[start..end])?;
            start = end;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<Vec<PathBuf>> {
        self.close_current()?;
        Ok(std::mem::take(&mut self.written))
    }
}

#[cfg(test)]
mod tests {
    use super::super::open;
    use super::*;
    use crate::compression::Compression as Codec;
    use crate::read::lines::Item;
    use crate::read::parquet::ParquetBatches;

    fn spec(dir: &std::path::Path, max_docs: u64) -> ShardSpec {
        ShardSpec {
            dir: dir.join("kept"),
            prefix: "00004".into(),
            compression: Codec::None,
            level: None,
            max_docs,
            max_bytes: 0,
        }
    }

    fn read_back(path: &std::path::Path) -> Vec<serde_json::Value> {
        let mut batches = ParquetBatches::open(File::open(path).unwrap(), 1000);
        let mut records = Vec::new();
        loop {
            let b = batches.next_batch(0);
            for item in &b.items {
                let Item::Record { range, .. } = item else {
                    panic!("{item:?}")
                };
                records.push(serde_json::from_slice::<serde_json::Value>(b.record(range)).unwrap());
            }
            if b.last {
                return records;
            }
        }
    }

    #[test]
    fn documents_become_parquet_parts_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = Vec::new();
        let mut ends = Vec::new();
        for i in 0..2500 {
            data.extend_from_slice(
                format!("{{\"id\":\"d{i}\",\"text\":\"Text {i}\",\"url\":\"u{i}\",\"thresh\":{{\"lang\":\"de\"}}}}\n")
                    .as_bytes(),
            );
            ends.push(data.len());
        }
        let mut sink = open(&super::super::Format::Parquet, spec(dir.path(), 2000));
        // In two calls, the second crossing the part boundary.
        sink.write_lines(&data[..ends[999]], &ends[..1000], None)
            .unwrap();
        let rest: Vec<usize> = ends[1000..].iter().map(|e| e - ends[999]).collect();
        sink.write_lines(&data[ends[999]..], &rest, None).unwrap();
        // Nothing looks complete before the end.
        let kept = dir.path().join("kept");
        let visible = |d: &std::path::Path| {
            fs::read_dir(d)
                .unwrap()
                .filter(|e| {
                    !e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with('.')
                })
                .count()
        };
        assert_eq!(
            visible(&kept),
            1,
            "the first part is complete, the second is not"
        );
        let paths = sink.finish().unwrap();
        assert_eq!(
            paths,
            [
                kept.join("00004-0000.parquet"),
                kept.join("00004-0001.parquet")
            ]
        );
        assert_eq!(visible(&kept), 2);
        let first = read_back(&paths[0]);
        let second = read_back(&paths[1]);
        assert_eq!((first.len(), second.len()), (2000, 500));
        assert_eq!(first[7]["id"], "d7");
        assert_eq!(first[7]["text"], "Text 7");
        assert_eq!(first[7]["thresh"]["lang"], "de");
        assert_eq!(
            first[7]["url"], "u7",
            "`other` fields return to the top level"
        );
        assert!(first[7].get("metadata").is_none());
        assert_eq!(second[0]["id"], "d2000");
    }
}
