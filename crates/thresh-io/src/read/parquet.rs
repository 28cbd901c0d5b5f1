//! Parquet input: record batches of a few hundred rows streamed from the row groups (never the
//! whole file in memory), each row turned into a JSON line by arrow-json and handed to the JSON
//! Lines record parser — so `text_field`, `id_field` and a `metadata` column work as for JSON
//! Lines, and every other column (`url`, `dump`, `language_score` …) is kept as a top-level
//! field of the output record. A row's line number is its 1-based position in the file.

use std::fs::File;

use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::read::lines::{Batch, Item};

/// Rows per batch: a few hundred web pages, about a megabyte.
pub const BATCH_ROWS: usize = 256;

/// Columns thresh's Parquet output holds as JSON text: read back as objects (`other`'s fields
/// return to the top level), so thresh's output is input like its JSON Lines.
const JSON_COLUMNS: [&str; 3] = ["metadata", "thresh", "other"];

/// JSON lines with the JSON-text columns turned back into objects; a line or value that is not
/// such JSON is left as it is.
fn unfold_json_columns(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(mut record) =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line)
        else {
            out.extend_from_slice(line);
            out.push(b'\n');
            continue;
        };
        for key in JSON_COLUMNS {
            let parsed = match record.get(key) {
                Some(serde_json::Value::String(text)) => {
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok()
                }
                _ => None,
            };
            if let Some(object) = parsed {
                if key == "other" {
                    record.remove(key);
                    for (k, v) in object {
                        record.entry(k).or_insert(v);
                    }
                } else {
                    record.insert(key.to_owned(), serde_json::Value::Object(object));
                }
            }
        }
        serde_json::to_writer(&mut out, &record).expect("a map serializes");
        out.push(b'\n');
    }
    out
}

/// Batches of one Parquet file.
pub struct ParquetBatches {
    reader: Result<ParquetRecordBatchReader, String>,
    row: u64,
}

impl ParquetBatches {
    /// Opens the file; a file that is not Parquet gives one error record on the first batch.
    pub fn open(file: File, rows: usize) -> Self {
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(rows.max(1)).build())
            .map_err(|e| format!("not a readable Parquet file: {e}"));
        ParquetBatches { reader, row: 0 }
    }

    /// The next batch of input file `file`: one JSON record per row.
    pub fn next_batch(&mut self, file: u32) -> Batch {
        let mut batch = Batch {
            file,
            ..Batch::default()
        };
        let reader = match &mut self.reader {
            Ok(reader) => reader,
            Err(message) => {
                batch.items.push(Item::Error {
                    line: 0,
                    offset: 0,
                    message: message.clone(),
                });
                batch.last = true;
                return batch;
            }
        };
        let record_batch = match reader.next() {
            None => {
                batch.last = true;
                return batch;
            }
            Some(Err(e)) => {
                // A damaged row group or page: the rest of the file cannot be trusted.
                batch.items.push(Item::Error {
                    line: self.row + 1,
                    offset: self.row,
                    message: format!("cannot read Parquet rows after row {}: {e}", self.row),
                });
                batch.last = true;
                return batch;
            }
            Some(Ok(b)) => b,
        };
        let rows = record_batch.num_rows() as u64;
        let mut writer = arrow_json::LineDelimitedWriter::new(&mut batch.data);
        let written = writer.write(&record_batch).and_then(|()| writer.finish());
        if let Err(e) = written {
            batch.data.clear();
            batch.items.push(Item::Error {
                line: self.row + 1,
                offset: self.row,
                message: format!(
                    "rows {}–{}: cannot convert to JSON: {e}",
                    self.row + 1,
                    self.row + rows
                ),
            });
            self.row += rows;
            return batch;
        }
        // Only string columns can hold JSON text: struct columns come out as objects already.
        let has_json_columns = record_batch.schema().fields().iter().any(|f| {
            JSON_COLUMNS.contains(&f.name().as_str())
                && *f.data_type() == arrow_schema::DataType::Utf8
        });
        if has_json_columns {
            batch.data = unfold_json_columns(&batch.data);
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &batch.data) {
            self.row += 1;
            batch.items.push(Item::Record {
                range: start..end,
                line: self.row,
                offset: self.row - 1,
            });
            start = end + 1;
        }
        batch.bytes = batch.data.len() as u64;
        batch
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};

    use super::*;

    fn write_parquet(path: &std::path::Path, rows: usize) {
        let ids: Vec<String> = (0..rows).map(|i| format!("doc-{i}")).collect();
        let texts: Vec<String> = (0..rows)
            .map(|i| format!("Text number {i} with \"quotes\" and ümlauts"))
            .collect();
        let scores: Vec<Option<f64>> = (0..rows)
            .map(|i| (i % 2 == 0).then_some(i as f64 / 2.0))
            .collect();
        let batch = RecordBatch::try_from_iter(vec![
            ("id", Arc::new(StringArray::from(ids)) as ArrayRef),
            ("text", Arc::new(StringArray::from(texts)) as ArrayRef),
            ("score", Arc::new(Float64Array::from(scores)) as ArrayRef),
        ])
        .unwrap();
        let file = File::create(path).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    #[test]
    fn rows_become_json_records_in_batches() {
        let dir = std::env::temp_dir().join(format!("thresh-parquet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("docs.parquet");
        write_parquet(&path, 5);
        let mut batches = ParquetBatches::open(File::open(&path).unwrap(), 2);
        let mut records = Vec::new();
        let mut lines = Vec::new();
        loop {
            let b = batches.next_batch(7);
            for item in &b.items {
                let Item::Record { range, line, .. } = item else {
                    panic!("{item:?}")
                };
                records.push(serde_json::from_slice::<serde_json::Value>(b.record(range)).unwrap());
                lines.push(*line);
            }
            if b.last {
                break;
            }
            assert!(b.items.len() <= 2);
        }
        assert_eq!(lines, [1, 2, 3, 4, 5]);
        assert_eq!(records[1]["id"], "doc-1");
        assert_eq!(
            records[1]["text"],
            "Text number 1 with \"quotes\" and ümlauts"
        );
        assert_eq!(records[2]["score"], 1.0);
        assert!(records[1].get("score").is_none(), "nulls are left out");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_parquet_is_one_error_record() {
        let dir = std::env::temp_dir().join(format!("thresh-parquet-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.parquet");
        std::fs::write(&path, b"PAR1 this is not parquet").unwrap();
        let b = ParquetBatches::open(File::open(&path).unwrap(), 2).next_batch(0);
        assert!(b.last);
        assert!(
            matches!(&b.items[..], [Item::Error { message, .. }] if message.contains("not a readable Parquet file"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
